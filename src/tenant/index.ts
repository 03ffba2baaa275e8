export { TENANT_ID_PATTERN } from './tenant.constants';
export { InvalidTenantIdException } from './tenant.exception';
export { ResolvedTenant, TenantResolver } from './tenant.resolver';
export { TenantModule } from './tenant.module';
