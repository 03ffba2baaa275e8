import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import type { TenantConfig } from '../config/auth-config';
import { AUTH_MODULE_OPTIONS } from './auth.constants';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { McpAccessPolicy, McpToolAccess, McpToolQuota } from '../mcp/interfaces/mcp-access-policy.interface';
import type { McpRequestContext } from '../mcp/interfaces/mcp-context.interface';
import type { RegisteredTool } from '../mcp/discovery/mcp.registry';
import { AuthMessages } from './auth.messages';
import { missingPermissions } from './permissions';

/**
 * Who may use which tool: the caller's permissions must cover every permission the tool
 * declares (`<pack>:<tool>` by default), and the tenant's rules (`tenants.<id>.tools.allow`
 * / `deny`, `toolPacks`) must let it through.
 */
@Injectable()
export class ToolAccessPolicy implements McpAccessPolicy {
  private readonly tenants: Record<string, TenantConfig>;

  constructor(
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {
    this.tenants = options.tenants ?? {};
  }

  toolAccess(context: McpRequestContext, tool: RegisteredTool): McpToolAccess {
    const name = tool.definition.name;
    const missing = missingPermissions(context.principal?.permissions ?? ['*'], tool.permissions);
    if (missing.length > 0) return { allowed: false, reason: AuthMessages.TOOL_FORBIDDEN(name, missing) };
    const rules = context.tenantId !== undefined ? this.tenants[context.tenantId] : undefined;
    if (rules && !tenantAllows(rules, tool)) return { allowed: false, reason: AuthMessages.TOOL_FORBIDDEN(name, []) };
    return { allowed: true };
  }

  /** Per caller (principal, else tenant), in the throttler's storage (Redis when configured). */
  async consumeToolQuota(context: McpRequestContext, tool: RegisteredTool): Promise<McpToolQuota> {
    const limit = tool.rateLimit;
    if (!limit) return { allowed: true };
    const principal = context.principal;
    const caller =
      principal && principal.kind !== 'anonymous'
        ? `principal:${principal.id}`
        : context.tenantId !== undefined
          ? `tenant:${context.tenantId}`
          : 'anonymous';
    const ttlMs = limit.ttlSeconds * 1000;
    const record = await this.storage.increment(`tool:${tool.definition.name}:${caller}`, ttlMs, limit.limit, ttlMs, 'tool');
    return {
      allowed: !record.isBlocked,
      limit: limit.limit,
      remaining: Math.max(0, limit.limit - record.totalHits),
      resetSeconds: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    };
  }

  /** A cache key under which two requests see the same tools. */
  cacheKey(context: McpRequestContext): string {
    return `${context.principal?.id ?? 'anonymous'}\u0000${context.tenantId ?? ''}`;
  }
}

function tenantAllows(rules: TenantConfig, tool: RegisteredTool): boolean {
  if (rules.toolPacks && !rules.toolPacks.includes(tool.pack)) return false;
  const names = [tool.definition.name, `${tool.pack}:${tool.definition.name}`];
  const matches = (pattern: string) => pattern === '*' || names.includes(pattern) || (pattern.endsWith(':*') && pattern.slice(0, -2) === tool.pack);
  const allow = rules.tools?.allow ?? ['*'];
  const deny = rules.tools?.deny ?? [];
  return allow.some(matches) && !deny.some(matches);
}
