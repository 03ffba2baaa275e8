import { DynamicModule, Module } from '@nestjs/common';
import { DefaultTenantResolver, TenantModuleOptions } from './tenant.resolver';
import { TenantResolver } from './tenant-resolver.interface';

/**
 * Resolves the tenant of every request ({@link TenantResolver}): the path, then the
 * credential's binding, then — only with `trustGatewayHeaders` — a gateway's `X-Tenant-Id`.
 * Provide your own resolver under the {@link TenantResolver} token to replace it.
 */
@Module({})
export class TenantModule {
  static forRoot(options: TenantModuleOptions = {}): DynamicModule {
    return {
      module: TenantModule,
      global: true,
      providers: [{ provide: TenantResolver, useFactory: () => new DefaultTenantResolver(options) }],
      exports: [TenantResolver],
    };
  }
}
