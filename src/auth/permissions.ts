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
