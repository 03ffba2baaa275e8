export const AuthMessages = {
  CREDENTIALS_REQUIRED: 'Authentication required: send X-API-Key or Authorization: Bearer',
  INVALID_CREDENTIALS: 'Invalid credentials',
  INVALID_TOKEN: (reason: string) => `Invalid token: ${reason}`,
  ISSUER_UNAVAILABLE: 'Service unavailable: the authorization server cannot be reached to check the token; try again',
  TENANT_MISMATCH: (bound: string) => `Forbidden: this credential is bound to tenant ${bound}`,
  TOOL_FORBIDDEN: (tool: string, missing: string[]) =>
    missing.length > 0 ? `Forbidden: tool "${tool}" needs permission ${missing.join(', ')}` : `Forbidden: tool "${tool}" is not available to this tenant`,
  TOOL_NEEDS_SCOPE: (tool: string, scopes: string[]) => `Forbidden: tool "${tool}" needs scope ${scopes.join(' ')}; authorize again with it`,
  EXCHANGE_API_KEY: (target: string) =>
    `Cannot call ${target} on behalf of the user: the caller authenticated with an API key, which carries no user token to exchange; call with an OAuth access token`,
  EXCHANGE_ANONYMOUS: (target: string) => `Cannot call ${target} on behalf of the user: the caller is anonymous (authentication is off)`,
  EXCHANGE_NO_TOKEN: (target: string) => `Cannot call ${target} on behalf of the user: no OAuth access token of the caller was kept to exchange`,
  EXCHANGE_NOT_CONFIGURED: (target: string, key: string) =>
    `Cannot call ${target} on behalf of the user: token exchange is not configured (${key}.tokenExchange)`,
  EXCHANGE_REFUSED: (target: string, error: string, description?: string) =>
    `The authorization server refused the token exchange for ${target}: ${error}${description ? ` (${description})` : ''}`,
  EXCHANGE_UNREACHABLE: (target: string, why: string) => `Token exchange for ${target} failed: ${why}`,
} as const;
