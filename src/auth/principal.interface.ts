/** Who is calling: an API key, a JWT subject, or anonymous when authentication is off. */
export interface Principal {
  /** API key id, `jwt:<subject>` (`jwt:<tenant>:<subject>` for a tenant's own issuer), or `anonymous`. Never a secret. */
  readonly id: string;
  readonly kind: 'api-key' | 'jwt' | 'anonymous';
  /** The tenant the credential is bound to, if any. */
  readonly tenantId?: string;
  readonly userId?: string;
  /** What the caller may use: the key's permissions, or a token's permissions claim and what its scopes map to. */
  readonly permissions: readonly string[];
  readonly rateLimit?: { limit: number; ttlSeconds: number };
  /** For an OAuth access token (JWT or introspected): what it grants and where, for step-up challenges. */
  readonly oauth?: OAuthGrant;
}

/** What an OAuth access token was found to grant. */
export interface OAuthGrant {
  /** The `iss` of the token. */
  readonly issuer: string;
  /** The scopes it carries. */
  readonly scopes: readonly string[];
  /** The resource (this server's URL for the request) it was accepted for. */
  readonly resource: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt?: number;
}

/** What the guard chain resolved for a request; read by controllers and the MCP edge. */
export interface RequestAccess {
  readonly principal: Principal;
  readonly tenantId?: string;
  readonly userId?: string;
}

export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', kind: 'anonymous', permissions: Object.freeze(['*']) });
