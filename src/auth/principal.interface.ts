/** Who is calling: an API key, a JWT subject, or anonymous when authentication is off. */
export interface Principal {
  /** API key id, `jwt:<subject>`, or `anonymous`. Never a secret. */
  readonly id: string;
  readonly kind: 'api-key' | 'jwt' | 'anonymous';
  /** The tenant the credential is bound to, if any. */
  readonly tenantId?: string;
  readonly userId?: string;
  readonly permissions: readonly string[];
  readonly rateLimit?: { limit: number; ttlSeconds: number };
}

/** What the guard chain resolved for a request; read by controllers and the MCP edge. */
export interface RequestAccess {
  readonly principal: Principal;
  readonly tenantId?: string;
  readonly userId?: string;
}

export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', kind: 'anonymous', permissions: Object.freeze(['*']) });
