import { BadRequestException } from '@nestjs/common';
import { TENANT_ID_PATTERN } from './tenant.constants';

export class InvalidTenantIdException extends BadRequestException {
  constructor(source: 'path' | 'header') {
    super(`Invalid tenant id in ${source === 'path' ? 'the path' : 'X-Tenant-Id'}: it must match ${TENANT_ID_PATTERN}`);
  }
}
