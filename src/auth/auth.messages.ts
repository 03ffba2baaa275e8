export const AuthMessages = {
  CREDENTIALS_REQUIRED: 'Authentication required: send X-API-Key or Authorization: Bearer',
  INVALID_CREDENTIALS: 'Invalid credentials',
  INVALID_TOKEN: (reason: string) => `Invalid token: ${reason}`,
  ISSUER_UNAVAILABLE: 'Service unavailable: the authorization server cannot be reached to check the token; try again',
  TENANT_MISMATCH: (bound: string) => `Forbidden: this credential is bound to tenant ${bound}`,
  TOOL_FORBIDDEN: (tool: string, missing: string[]) =>
    missing.length > 0 ? `Forbidden: tool "${tool}" needs permission ${missing.join(', ')}` : `Forbidden: tool "${tool}" is not available to this tenant`,
  TOOL_NEEDS_SCOPE: (tool: string, scopes: string[]) => `Forbidden: tool "${tool}" needs scope ${scopes.join(' ')}; authorize again with it`,
} as const;
