/**
 * Whether granted permissions cover a required one: `*` covers all, `pack:*` covers every
 * `pack:<tool>`, anything else must match exactly.
 */
export function permits(granted: readonly string[], required: string): boolean {
  for (const permission of granted) {
    if (permission === '*' || permission === required) return true;
    if (permission.endsWith(':*') && required.startsWith(permission.slice(0, -1))) return true;
  }
  return false;
}

/** Every required permission must be covered. */
export function permitsAll(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((permission) => permits(granted, permission));
}

/** The required permissions that are not covered. */
export function missingPermissions(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((permission) => !permits(granted, permission));
}

/** What scopes grant, each through the scope map (`{ "mcp:calculator": ["calculator:*"] }`). */
export function permissionsOfScopes(scopes: readonly string[], scopeMap: Readonly<Record<string, readonly string[]>>): string[] {
  const permissions = new Set<string>();
  for (const scope of scopes) {
    // Own keys only: a scope named `constructor` or `__proto__` maps to nothing.
    if (Object.hasOwn(scopeMap, scope)) for (const permission of scopeMap[scope]) permissions.add(permission);
  }
  return [...permissions];
}

/**
 * The scopes that grant every `missing` permission: for each, the scope that grants it most
 * narrowly (the permission itself, then `pack:*`, then `*`; the first in the map on a tie).
 * `undefined` when some permission is granted by no scope (asking for more would not help).
 */
export function scopesGranting(missing: readonly string[], scopeMap: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  const chosen = new Set<string>();
  for (const required of missing) {
    let best: { scope: string; rank: number } | undefined;
    for (const [scope, permissions] of Object.entries(scopeMap)) {
      const rank = Math.max(...permissions.map((permission) => narrowness(permission, required)));
      if (rank >= 0 && (!best || rank > best.rank)) best = { scope, rank };
    }
    if (!best) return undefined;
    chosen.add(best.scope);
  }
  return [...chosen];
}

/** 2: grants exactly `required`; 1: through `pack:*`; 0: through `*`; -1: not at all. */
function narrowness(granted: string, required: string): number {
  if (granted === required) return 2;
  if (granted === '*') return 0;
  return permits([granted], required) ? 1 : -1;
}
