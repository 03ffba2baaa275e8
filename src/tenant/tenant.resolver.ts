import { ForbiddenException } from '@nestjs/common';
import type { ResolvedTenant, TenantBinding, TenantResolver } from './tenant-resolver.interface';
import { TENANT_HEADER, TENANT_ID_PATTERN, USER_HEADER } from './tenant.constants';
import { InvalidTenantIdException } from './tenant.exception';

export interface TenantModuleOptions {
  /** Take `X-Tenant-Id` / `X-User-Id` from a trusted gateway in front of the platform. @default false */
  trustGatewayHeaders?: boolean;
}

/**
 * Says which tenant a request acts for: the path (`/tenants/{tenantId}/…`) first, then the
 * credential's binding, then a trusted gateway's `X-Tenant-Id` (only with
 * `trustGatewayHeaders`; otherwise the header is ignored). A credential bound to one
 * tenant used for another is refused (403); malformed ids get 400.
 */
export class DefaultTenantResolver implements TenantResolver {
  private readonly trustHeaders: boolean;

  constructor(options: TenantModuleOptions = {}) {
    this.trustHeaders = options.trustGatewayHeaders ?? false;
  }

  resolve(pathTenantId: string | undefined, headers: Record<string, string | string[] | undefined>, binding: TenantBinding = {}): ResolvedTenant {
    if (pathTenantId !== undefined && !TENANT_ID_PATTERN.test(pathTenantId)) throw new InvalidTenantIdException('path');
    const headerTenant = this.trustHeaders ? first(headers[TENANT_HEADER]) : undefined;
    if (headerTenant !== undefined && !TENANT_ID_PATTERN.test(headerTenant)) throw new InvalidTenantIdException('header');
    // A trusted gateway vouched for one tenant: a path naming another is not a choice to make.
    if (headerTenant !== undefined && pathTenantId !== undefined && headerTenant !== pathTenantId) {
      throw new ForbiddenException(`Forbidden: the gateway's tenant ${headerTenant} is not the path's tenant ${pathTenantId}`);
    }
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
