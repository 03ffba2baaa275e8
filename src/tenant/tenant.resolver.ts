import { Injectable } from '@nestjs/common';
import { InjectAppConfig } from '../config/config.constants';
import type { AppConfig } from '../config/app-config';
import { TENANT_HEADER, TENANT_ID_PATTERN, USER_HEADER } from './tenant.constants';
import { InvalidTenantIdException } from './tenant.exception';

export interface ResolvedTenant {
  tenantId?: string;
  userId?: string;
}

/**
 * Says which tenant a request acts for: the path (`/tenants/{tenantId}/…`) first, then a
 * trusted gateway's `X-Tenant-Id` (only when `gateway.trustTenantHeaders` is on).
 */
@Injectable()
export class TenantResolver {
  private readonly trustHeaders: boolean;

  constructor(@InjectAppConfig() config: AppConfig) {
    this.trustHeaders = config.gateway.trustTenantHeaders;
  }

  resolve(pathTenantId: string | undefined, headers: Record<string, string | string[] | undefined>): ResolvedTenant {
    const userId = this.trustHeaders ? first(headers[USER_HEADER]) : undefined;
    if (pathTenantId !== undefined) {
      if (!TENANT_ID_PATTERN.test(pathTenantId)) throw new InvalidTenantIdException('path');
      return { tenantId: pathTenantId, userId };
    }
    if (!this.trustHeaders) return {};
    const headerTenant = first(headers[TENANT_HEADER]);
    if (headerTenant === undefined) return { userId };
    if (!TENANT_ID_PATTERN.test(headerTenant)) throw new InvalidTenantIdException('header');
    return { tenantId: headerTenant, userId };
  }
}

function first(value: string | string[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === '' ? undefined : one;
}
