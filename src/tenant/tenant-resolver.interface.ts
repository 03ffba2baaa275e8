/** The tenant (and user) a request acts for. */
export interface ResolvedTenant {
  tenantId?: string;
  userId?: string;
}

/** What a credential says about the tenant (see AuthModule's Principal). */
export interface TenantBinding {
  tenantId?: string;
  userId?: string;
}

/**
 * Says which tenant a request acts for. Throws an `HttpException` to refuse the request
 * (400 for a malformed id, 403 for a credential used for another tenant). Provided by
 * TenantModule; without it the MCP edge takes the tenant from the path only.
 */
export interface TenantResolver {
  resolve(pathTenantId: string | undefined, headers: Record<string, string | string[] | undefined>, binding?: TenantBinding): ResolvedTenant;
}

/** Injection token of the {@link TenantResolver} port. */
export const TenantResolver = Symbol('TENANT:RESOLVER');
