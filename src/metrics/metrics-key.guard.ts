import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setResponseHeader } from '../common/http-objects';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectMetricsOptions } from './metrics.constants';
import { MetricsMessages } from './metrics.messages';
import type { ResolvedMetricsOptions } from './metrics-module-options.interface';

const HASH_PREFIX = 'sha256:';

/**
 * Guards `GET /metrics` when `metrics.key` is set: the request must carry
 * `Authorization: Bearer <key>`. Only digests are compared, in constant time.
 */
@Injectable()
export class MetricsKeyGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@InjectMetricsOptions() options: ResolvedMetricsOptions) {
    const key = options.key;
    if (key) this.expected = key.startsWith(HASH_PREFIX) ? Buffer.from(key.slice(HASH_PREFIX.length), 'hex') : sha256(key);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const http = context.switchToHttp();
    const header = http.getRequest<IncomingMessage>().headers.authorization;
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (presented && timingSafeEqual(sha256(presented), this.expected)) return true;
    setResponseHeader(http.getResponse<object>(), 'WWW-Authenticate', 'Bearer realm="metrics"');
    throw new UnauthorizedException(presented ? MetricsMessages.KEY_INVALID : MetricsMessages.KEY_REQUIRED);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
