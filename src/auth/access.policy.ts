import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import type { TenantConfig } from '../config/auth-config';
import { AUTH_MODULE_OPTIONS } from './auth.constants';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { McpAccessPolicy, McpToolAccess, McpToolQuota } from '../mcp/interfaces/mcp-access-policy.interface';
import type { McpRequestContext } from '../mcp/interfaces/mcp-context.interface';
import type { RegisteredTool } from '../mcp/discovery/mcp.registry';
import { AuthMessages } from './auth.messages';
import { missingPermissions, scopesGranting } from './permissions';
import type { Principal } from './principal.interface';
import { ProtectedResource } from './protected-resource.service';

/**
 * Who may use which tool: the caller's permissions must cover every permission the tool
 * declares (`<pack>:<tool>` by default), and the tenant's rules (`tenants.<id>.tools.allow`
 * / `deny`, `toolPacks`) must let it through. An OAuth token that lacks permissions some of
 * its issuer's scopes would grant is refused with a step-up challenge naming those scopes.
 */
@Injectable()
export class ToolAccessPolicy implements McpAccessPolicy {
  private readonly tenants: Record<string, TenantConfig>;

  constructor(
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly resource: ProtectedResource,
  ) {
    this.tenants = options.tenants ?? {};
  }

  toolAccess(context: McpRequestContext, tool: RegisteredTool): McpToolAccess {
    const name = tool.definition.name;
    const principal = context.principal as Principal | undefined;
    const missing = missingPermissions(principal?.permissions ?? ['*'], tool.permissions);
    const rules = context.tenantId !== undefined ? this.tenants[context.tenantId] : undefined;
    // The tenant's rules first: no scope would open a tool the tenant may not use.
    if (rules && !tenantAllows(rules, tool)) return { allowed: false, reason: AuthMessages.TOOL_FORBIDDEN(name, []) };
    if (missing.length > 0) return this.stepUp(principal, name, missing) ?? { allowed: false, reason: AuthMessages.TOOL_FORBIDDEN(name, missing) };
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

  /**
   * A cache key under which two requests see the same tools: what {@link toolAccess} reads,
   * the permissions and the tenant — not who the caller is, so two tokens of one subject with
   * different scopes each see their own list.
   */
  cacheKey(context: McpRequestContext): string {
    const permissions = [...new Set(context.principal?.permissions ?? ['*'])].sort();
    return `${context.tenantId ?? ''}\u0000${permissions.join('\u0000')}`;
  }

  /**
   * For an OAuth token whose issuer maps scopes to every missing permission: a refusal that
   * asks for those scopes (MCP step-up authorization). The challenge's `scope` holds the
   * token's scopes as well, so a client that replaces its scopes with it loses none.
   */
  private stepUp(principal: Principal | undefined, tool: string, missing: string[]): McpToolAccess | undefined {
    if (!principal?.oauth) return undefined;
    const required = scopesGranting(missing, this.resource.scopesOfIssuer(principal.oauth.issuer));
    if (!required) return undefined;
    const scope = [...new Set([...principal.oauth.scopes, ...required])];
    return {
      allowed: false,
      reason: AuthMessages.TOOL_NEEDS_SCOPE(tool, required),
      data: { requiredScopes: required, wwwAuthenticate: this.resource.insufficientScope(principal.oauth.resource, scope) },
    };
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
