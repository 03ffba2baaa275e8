import { TENANT_NONE, TENANT_OTHER } from './metrics.constants';

/**
 * Keeps the `tenant` label's cardinality bounded: configured tenants and the first `limit`
 * others keep their name; every later one is folded into `_other`.
 */
export class TenantLabelPolicy {
  private readonly known: ReadonlySet<string>;
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    knownTenants: Iterable<string> = [],
  ) {
    this.known = new Set(knownTenants);
  }

  label(tenantId: string | undefined): string {
    if (tenantId === undefined || tenantId === '') return TENANT_NONE;
    if (this.known.has(tenantId) || this.seen.has(tenantId)) return tenantId;
    if (this.seen.size >= this.limit) return TENANT_OTHER;
    this.seen.add(tenantId);
    return tenantId;
  }
}
