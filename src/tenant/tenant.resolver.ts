import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectAppConfig } from '../config/config.constants';
import type { AppConfig } from '../config/app-config';
import { TENANT_HEADER, TENANT_ID_PATTERN, USER_HEADER } from './tenant.constants';
import { InvalidTenantIdException } from './tenant.exception';

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
 * Says which tenant a request acts for: the path (`/tenants/{tenantId}/…`) first, then the
 * credential's binding, then a trusted gateway's `X-Tenant-Id` (only with
 * `gateway.trustTenantHeaders`; otherwise the header is ignored). A credential bound to one
 * tenant used for another is refused (403); malformed ids get 400.
 */
@Injectable()
export class TenantResolver {
  private readonly trustHeaders: boolean;

  constructor(@InjectAppConfig() config: AppConfig) {
    this.trustHeaders = config.gateway.trustTenantHeaders;
  }

  resolve(
    pathTenantId: string | undefined,
    headers: Record<string, string | string[] | undefined>,
    binding: TenantBinding = {},
  ): ResolvedTenant {
    if (pathTenantId !== undefined && !TENANT_ID_PATTERN.test(pathTenantId)) throw new InvalidTenantIdException('path');
    const headerTenant = this.trustHeaders ? first(headers[TENANT_HEADER]) : undefined;
    if (headerTenant !== undefined && !TENANT_ID_PATTERN.test(headerTenant)) throw new InvalidTenantIdException('header');
    const bound = binding.tenantId;
    if (bound !== undefined) {
      for (const claimed of [pathTenantId, headerTenant]) {
        if (claimed !== undefined && claimed !== bound) {
          throw new ForbiddenException(`Forbidden: this credential is bound to tenant ${bound}`);
        }
      }
    }
    const userId = binding.userId ?? (this.trustHeaders ? first(headers[USER_HEADER]) : undefined);
    return {
      ...((pathTenantId ?? bound ?? headerTenant) !== undefined && { tenantId: pathTenantId ?? bound ?? headerTenant }),
      ...(userId !== undefined && { userId }),
    };
  }
}

function first(value: string | string[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === '' ? undefined : one;
}
