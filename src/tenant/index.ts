export { TENANT_ID_PATTERN, TENANT_HEADER, USER_HEADER } from './tenant.constants';
export { InvalidTenantIdException } from './tenant.exception';
export { DefaultTenantResolver } from './tenant.resolver';
export type { TenantModuleOptions } from './tenant.resolver';
export { TenantResolver } from './tenant-resolver.interface';
export type { ResolvedTenant, TenantBinding } from './tenant-resolver.interface';
export { TenantModule } from './tenant.module';
