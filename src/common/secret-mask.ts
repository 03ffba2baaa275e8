/** Names whose values are secrets wherever they appear: headers, variables, fields. */
export const SECRET_NAME_PATTERN =
  /(authorization|cookie|secret|token|passw(or)?d|pwd|api[-_]?key|private[-_]?key|credential|signature|access[-_]?key|session[-_]?key|jwt|bearer)/i;

export const MASK = '******';

export function isSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}

/** Says a secret is there and how long it is, never what it is. */
export function maskValue(value: string): string {
  const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(value)?.[1];
  return scheme ? `${scheme} ${MASK} (${value.length - scheme.length - 1} chars)` : `${MASK} (${value.length} chars)`;
}

/** Replaces the password of a URL (`redis://user:pass@host`) with the mask. */
export function maskUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):([^@/]*)@/i, (_all, scheme: string, user: string) => `${scheme}${user}:${MASK}@`);
}

/** Header map with secret values masked. */
export function maskHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    masked[name] = isSecretName(name) ? maskValue(value) : value;
  }
  return masked;
}
