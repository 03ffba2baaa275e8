import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerOptions } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { RateLimitConfig } from '../config/auth-config';
import { MCP_ACCESS_POLICY } from '../mcp/interfaces/mcp-access-policy.interface';
import { MCP_ROUTE_GUARDS } from '../mcp/mcp.constants';
import { MCP_CALL_BUDGET } from '../mcp/interfaces/mcp-call-budget.interface';
import { MCP_TOKEN_EXCHANGE } from '../mcp/interfaces/mcp-token-exchange.interface';
import { RedisConnection } from '../redis/redis.connection.provider';
import { ToolAccessPolicy } from './access.policy';
import { AuthAudit } from './auth.audit';
import { AUTH_MODULE_OPTIONS, REQUEST_ACCESS } from './auth.constants';
import { AuthGuard } from './auth.guard';
import type { AuthModuleOptions } from './auth-module-options.interface';
import { CredentialVerifier } from './credential-verifier.interface';
import { ConfiguredCredentialVerifier } from './credential.verifier';
import { McpThrottlerGuard } from './mcp-throttler.guard';
import type { RequestAccess } from './principal.interface';
import { ProtectedResourceController } from './protected-resource.controller';
import { ProtectedResource } from './protected-resource.service';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { FailSafeThrottlerStorage } from './fail-safe-throttler.storage';
import { TokenExchangeService } from './token-exchange.service';

/**
 * Guards the MCP routes — and only them: AuthGuard (who, which tenant) then
 * McpThrottlerGuard (how often), both failing closed; the tool access policy (permissions,
 * tenant rules, per-tool limits, OAuth step-up) for the tool-call gate; the OAuth
 * protected-resource side (RFC 9728 metadata, audience binding, challenges); token exchange
 * (RFC 8693) for tools that call downstream APIs as their caller (`ctx.tokenFor()`). Rate-limit
 * counters live in Redis when RedisModule is imported, so limits hold for the whole fleet.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [{ token: RedisConnection, optional: true }],
          useFactory: (redis?: RedisConnection) => ({
            throttlers: throttlers(options),
            storage: new FailSafeThrottlerStorage(
              options.throttlerStorage ?? (redis ? new RedisThrottlerStorage(redis.client, redis.keyPrefix) : new MemoryThrottlerStorage()),
              options.rateLimit?.onStoreError ?? 'closed',
            ),
          }),
        }),
      ],
      controllers: [ProtectedResourceController],
      providers: [
        { provide: AUTH_MODULE_OPTIONS, useValue: options },
        { provide: CredentialVerifier, useClass: options.credentialVerifier ?? ConfiguredCredentialVerifier },
        AuthAudit,
        ProtectedResource,
        ToolAccessPolicy,
        AuthGuard,
        McpThrottlerGuard,
        { provide: MCP_ACCESS_POLICY, useExisting: ToolAccessPolicy },
        { provide: MCP_CALL_BUDGET, useExisting: McpThrottlerGuard },
        { provide: MCP_TOKEN_EXCHANGE, useClass: TokenExchangeService },
        // Order matters: who (and which tenant) first, then how often.
        {
          provide: MCP_ROUTE_GUARDS,
          useFactory: (auth: AuthGuard, throttler: McpThrottlerGuard) => [auth, throttler],
          inject: [AuthGuard, McpThrottlerGuard],
        },
      ],
      exports: [MCP_ACCESS_POLICY, MCP_ROUTE_GUARDS, MCP_CALL_BUDGET, MCP_TOKEN_EXCHANGE, CredentialVerifier],
    };
  }
}

function accessOf(context: ExecutionContext): RequestAccess | undefined {
  return context.switchToHttp().getRequest<Record<string, RequestAccess | undefined>>()[REQUEST_ACCESS];
}

/**
 * Per caller: the key's own limit, else `rateLimit.default` (anonymous callers only with
 * `rateLimit.anonymous`, per IP); per tenant: the tenant's limit, if any.
 */
function throttlers(options: AuthModuleOptions): ThrottlerOptions[] {
  const tenants = options.tenants ?? {};
  const callerLimit = (context: ExecutionContext): RateLimitConfig | undefined => {
    const principal = accessOf(context)?.principal;
    if (!principal || principal.kind === 'anonymous') return options.rateLimit?.anonymous;
    return principal.rateLimit ?? options.rateLimit?.default;
  };
  const tenantLimit = (context: ExecutionContext): RateLimitConfig | undefined => {
    const tenantId = accessOf(context)?.tenantId;
    return tenantId === undefined ? undefined : tenants[tenantId]?.rateLimit;
  };
  return [
    {
      name: 'default',
      limit: (context) => callerLimit(context)?.limit ?? Number.MAX_SAFE_INTEGER,
      ttl: (context) => (callerLimit(context)?.ttlSeconds ?? 60) * 1000,
      skipIf: (context) => callerLimit(context) === undefined,
    },
    {
      name: 'tenant',
      limit: (context) => tenantLimit(context)?.limit ?? Number.MAX_SAFE_INTEGER,
      ttl: (context) => (tenantLimit(context)?.ttlSeconds ?? 60) * 1000,
      skipIf: (context) => tenantLimit(context) === undefined,
      getTracker: (req) => `tenant:${(req as Record<string, RequestAccess>)[REQUEST_ACCESS]?.tenantId ?? ''}`,
    },
  ];
}
