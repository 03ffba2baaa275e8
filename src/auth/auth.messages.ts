export const AuthMessages = {
  CREDENTIALS_REQUIRED: 'Authentication required: send X-API-Key or Authorization: Bearer',
  INVALID_CREDENTIALS: 'Invalid credentials',
  INVALID_TOKEN: (reason: string) => `Invalid token: ${reason}`,
  TENANT_MISMATCH: (bound: string) => `Forbidden: this credential is bound to tenant ${bound}`,
  TOOL_FORBIDDEN: (tool: string, missing: string[]) =>
    missing.length > 0 ? `Forbidden: tool "${tool}" needs permission ${missing.join(', ')}` : `Forbidden: tool "${tool}" is not available to this tenant`,
} as const;
