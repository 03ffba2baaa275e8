/**
 * Names whose values are secrets wherever they appear: headers, variables, fields, query
 * parameters — including anything ending in `_KEY`, `_KEYS` or `_AUTH` (`MCP_METRICS_KEY`, `MCP_STATE_KEYS`).
 */
export const SECRET_NAME_PATTERN =
  /(authorization|cookie|secret|token|passw(or)?d|pwd|api[-_]?key|private[-_]?key|credential|signature|access[-_]?key|session[-_]?key|jwt|bearer|(^|[-_])(keys?|auth)$)/i;

export const MASK = '******';

export function isSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}

/** Says a secret is there and how long it is, never what it is. */
export function maskValue(value: string): string {
  const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(value)?.[1];
  return scheme ? `${scheme} ${MASK} (${value.length - scheme.length - 1} chars)` : `${MASK} (${value.length} chars)`;
}

/**
 * Replaces the password of a URL (`redis://user:pass@host`) with the mask; the userinfo
 * runs to the last `@` of the authority, so a password containing `@` is masked whole.
 */
export function maskUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? all : `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
  });
}

/** A request URL with the values of secret-looking query parameters (`?api_key=`) masked. */
export function maskQuery(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const masked = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeQueryName(eq === -1 ? pair : pair.slice(0, eq));
      return eq !== -1 && isSecretName(name) ? `${pair.slice(0, eq)}=${MASK}` : pair;
    });
  return `${url.slice(0, at)}?${masked.join('&')}`;
}

function decodeQueryName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** Headers without the secret ones: what may travel on the bus between replicas. */
export function withoutSecretHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !isSecretName(name)) kept[name] = value;
  return kept;
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
