import { Global, Module } from '@nestjs/common';
import { TenantResolver } from './tenant.resolver';

/** Resolves the tenant of every request. */
@Global()
@Module({ providers: [TenantResolver], exports: [TenantResolver] })
export class TenantModule {}
