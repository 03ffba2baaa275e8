import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { McpCallBudget } from '../mcp/interfaces/mcp-call-budget.interface';
import { incrementBy } from './weighted-throttler.storage';
import { AuthAudit } from './auth.audit';
import { IS_PUBLIC_KEY, REQUEST_ACCESS } from './auth.constants';
import type { RequestAccess } from './principal.interface';

/** The throttlers one request was counted by, kept on the request for its batch's extra calls. */
const COUNTED = Symbol('mcp:rateLimitWindows');

/**
 * `@nestjs/throttler`'s guard, tracking callers rather than routes: per API key or token
 * (`principal:<id>`), else per tenant, else per client IP; limits come from the key, the
 * tenant or `rateLimit.default` (see AuthModule). Runs after AuthGuard; public routes
 * (health, metrics) are not limited. Limits count JSON-RPC calls: a batch of N costs N
 * ({@link McpCallBudget}, charged by the edge once it has read the body).
 */
@Injectable()
export class McpThrottlerGuard extends ThrottlerGuard implements McpCallBudget {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly audit: AuthAudit,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return trackerOf(req, await super.getTracker(req));
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const allowed = await super.handleRequest(props);
    // Kept as given: tracker and key are worked out again only for a batch (charge), not per request.
    const req = props.context.switchToHttp().getRequest<Record<symbol, ThrottlerRequest[] | undefined>>();
    (req[COUNTED] ??= []).push(props);
    return allowed;
  }

  async charge(request: object, _reply: object, extraCalls: number): Promise<void> {
    const counted = (request as Record<symbol, ThrottlerRequest[] | undefined>)[COUNTED];
    if (!counted || extraCalls <= 0) return;
    for (const { context, throttler, limit, ttl, blockDuration, getTracker, generateKey } of counted) {
      const name = throttler.name ?? 'default';
      const tracker = await getTracker(context.switchToHttp().getRequest(), context);
      const key = generateKey(context, tracker, name);
      const record = await incrementBy(this.storageService, extraCalls, key, ttl, limit, blockDuration, name);
      if (record.isBlocked) await this.throwThrottlingException(context, { ...record, limit, ttl, key, tracker });
      const suffix = name === 'default' ? '' : `-${name}`;
      this.setResponseHeader(this.getRequestResponse(context).res, `${this.headerPrefix}-Remaining${suffix}`, Math.max(0, limit - record.totalHits));
    }
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    // One budget per caller across every route.
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const { req, res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'Retry-After', Math.max(1, detail.timeToBlockExpire));
    const access = req[REQUEST_ACCESS] as RequestAccess | undefined;
    this.audit.refused({
      who: access?.principal.id ?? 'anonymous',
      tenantId: access?.tenantId,
      what: `${String(req.method)} ${String(req.url ?? '').split('?')[0]}`,
      why: `rate limit of ${detail.limit} per ${detail.ttl / 1000}s exceeded (${detail.tracker})`,
      status: 429,
      requestId: String(req.id ?? ''),
    });
    await super.throwThrottlingException(context, detail);
  }
}

/** The caller a limit applies to. */
export function trackerOf(req: Record<string, unknown>, ip: string): string {
  const access = req[REQUEST_ACCESS] as RequestAccess | undefined;
  if (access && access.principal.kind !== 'anonymous') return `principal:${access.principal.id}`;
  if (access?.tenantId !== undefined) return `tenant:${access.tenantId}`;
  return `ip:${ip}`;
}
