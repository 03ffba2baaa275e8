/**
 * The raw access token a principal was authenticated with, for token exchange (RFC 8693):
 * held beside the principal, never on it, so no log line, audit record, error or tool context
 * that shows the principal can show the token. Dropped with the principal (a request's).
 */
const tokens = new WeakMap<object, string>();

/** Remembers the token `principal` was made from (OAuth access tokens only). */
export function holdSubjectToken(principal: object, token: string): void {
  tokens.set(principal, token);
}

/** The token `principal` was made from, if it came from an OAuth access token. */
export function subjectTokenOf(principal: object | undefined): string | undefined {
  return principal === undefined ? undefined : tokens.get(principal);
}
