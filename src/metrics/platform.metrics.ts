import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { MetricName } from './metrics.constants';
import { TenantLabelPolicy } from './tenant-label.policy';

/** Why credentials were refused (the `reason` label of `mcp_auth_failures_total`). */
export type AuthFailureReason = 'missing' | 'invalid' | 'expired' | 'forbidden' | 'tenant_mismatch';

/**
 * Metrics of the platform's other parts: auth refusals, rate limiting and the session store.
 * Inject it where those happen; the tenant label is bounded like the MCP edge's.
 */
@Injectable()
export class PlatformMetrics {
  constructor(
    @InjectMetric(MetricName.AUTH_FAILURES_TOTAL) private readonly authFailures: Counter<'reason' | 'tenant'>,
    @InjectMetric(MetricName.RATE_LIMITED_TOTAL) private readonly rateLimits: Counter<'tenant'>,
    @InjectMetric(MetricName.SESSION_STORE_OPERATION_DURATION_SECONDS)
    private readonly storeDuration: Histogram<'operation'>,
    @InjectMetric(MetricName.SESSION_STORE_ERRORS_TOTAL) private readonly storeErrors: Counter<'operation'>,
    private readonly tenants: TenantLabelPolicy,
  ) {}

  authFailure(reason: AuthFailureReason, tenantId?: string): void {
    this.authFailures.inc({ reason, tenant: this.tenants.label(tenantId) });
  }

  rateLimited(tenantId?: string): void {
    this.rateLimits.inc({ tenant: this.tenants.label(tenantId) });
  }

  /**
   * Runs one session store call, timing it and counting it as an error when it rejects.
   * `operation` is one of a fixed set of names (`get`, `create`, `ping` …), never an id.
   * @example await metrics.storeOperation('get', () => this.redis.get(key))
   */
  async storeOperation<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const end = this.storeDuration.startTimer({ operation });
    try {
      return await run();
    } catch (error) {
      this.storeErrors.inc({ operation });
      throw error;
    } finally {
      end();
    }
  }
}
