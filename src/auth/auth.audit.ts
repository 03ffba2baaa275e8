import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { MCP_AUDIT_HOOK, McpAuditHook } from '../mcp/interfaces/mcp-audit.interface';
import { AuthFailureReason, PlatformMetrics } from '../metrics';

export interface RefusalEvent {
  /** Principal id, or what little is known (`anonymous`, `api-key:unknown`). Never a secret. */
  who: string;
  tenantId?: string;
  /** What was asked for: `POST /mcp`, `tools/call environmentDump` … */
  what: string;
  /** Why it was refused. */
  why: string;
  status: number;
  requestId?: string;
  /** Label for `mcp_auth_failures_total{reason}`; omitted for rate limits. */
  reason?: AuthFailureReason;
}

/** One structured log event, a metric and an audit record for every refused request. */
@Injectable()
export class AuthAudit {
  private readonly logger = new Logger('Audit');

  constructor(
    @Optional() private readonly metrics?: PlatformMetrics,
    @Optional() @Inject(MCP_AUDIT_HOOK) private readonly trail?: McpAuditHook,
  ) {}

  refused(event: RefusalEvent): void {
    this.logger.warn({ event: 'request_refused', ...event });
    this.trail?.refusal?.({
      principal: event.who,
      ...(event.tenantId !== undefined && { tenantId: event.tenantId }),
      target: event.what,
      outcome: event.status === 429 ? 'rate_limited' : 'denied',
      reason: event.why,
      status: event.status,
      ...(event.requestId && { requestId: event.requestId }),
    });
    if (event.status === 429) this.metrics?.rateLimited(event.tenantId);
    else if (event.reason) this.metrics?.authFailure(event.reason, event.tenantId);
  }
}
