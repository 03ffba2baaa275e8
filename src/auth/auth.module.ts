import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerOptions } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { AppConfig, RateLimitConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.constants';
import { MCP_ACCESS_POLICY } from '../mcp/interfaces/mcp-access-policy.interface';
import { RedisConnection } from '../redis/redis.connection.provider';
import { ToolAccessPolicy } from './access.policy';
import { AuthAudit } from './auth.audit';
import { REQUEST_ACCESS } from './auth.constants';
import { AuthGuard } from './auth.guard';
import { CredentialVerifier } from './credential.verifier';
import { McpThrottlerGuard } from './mcp-throttler.guard';
import type { RequestAccess } from './principal.interface';
import { ProtectedResourceController } from './protected-resource.controller';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * The guard chain: AuthGuard (who, which tenant) then McpThrottlerGuard (how often), both
 * APP_GUARDs that fail closed; the tool access policy (permissions, tenant rules, per-tool
 * limits) for the MCP edge; RFC 9728 metadata. Rate-limit counters live in Redis when it is
 * configured, so limits hold for the whole fleet.
 */
@Module({})
export class AuthModule {
  static forRoot(): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [APP_CONFIG, { token: RedisConnection, optional: true }],
          useFactory: (config: AppConfig, redis?: RedisConnection) => ({
            throttlers: throttlers(config),
            storage: redis ? new RedisThrottlerStorage(redis.client, config.redis.keyPrefix) : new MemoryThrottlerStorage(),
          }),
        }),
      ],
      controllers: [ProtectedResourceController],
      providers: [
        CredentialVerifier,
        AuthAudit,
        ToolAccessPolicy,
        { provide: MCP_ACCESS_POLICY, useExisting: ToolAccessPolicy },
        // Order matters: who (and which tenant) first, then how often.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: McpThrottlerGuard },
      ],
      exports: [MCP_ACCESS_POLICY, CredentialVerifier],
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
function throttlers(config: AppConfig): ThrottlerOptions[] {
  const callerLimit = (context: ExecutionContext): RateLimitConfig | undefined => {
    const principal = accessOf(context)?.principal;
    if (!principal || principal.kind === 'anonymous') return config.rateLimit.anonymous;
    return principal.rateLimit ?? config.rateLimit.default;
  };
  const tenantLimit = (context: ExecutionContext): RateLimitConfig | undefined => {
    const tenantId = accessOf(context)?.tenantId;
    return tenantId === undefined ? undefined : config.tenants[tenantId]?.rateLimit;
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
