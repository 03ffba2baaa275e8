import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { credentialsConfigured } from './config/config.loader';
import { ConfigModule } from './config/config.module';
import { AuditModule, AuthModule, HealthModule, McpModule, MetricsModule, RedisModule, SessionModule, TenantModule } from './index';
import { LoggingModule } from './logging/logging.module';
import { enabledToolPacks } from './tools/tool-packs';
import { PLATFORM_VERSION } from './version';

/** Part of the shutdown grace period kept for closing the app after the drain (hooks, store connections). */
export function closeReserveMs(graceMs: number): number {
  return Math.min(5000, Math.floor(graceMs / 4));
}

/**
 * The platform: the package's modules composed from the validated config. Modules of your
 * own go in `imports` below (`nest g module` adds them there) or come through
 * `bootstrapPlatform({ imports })`; either way they are served with no config edit.
 */
@Module({
  imports: [],
})
export class AppModule {
  static forRoot(config: AppConfig, imports: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    const redis = redisOptions(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        ...(redis ? [RedisModule.forRoot(redis)] : []),
        SessionModule.forRoot({
          ttlSeconds: config.sessions.ttlSeconds,
          maxEventsPerStream: config.redis.maxEventsPerStream,
          completedStreamTtlSeconds: config.redis.completedStreamTtlSeconds,
        }),
        TenantModule.forRoot({ trustGatewayHeaders: config.gateway.trustTenantHeaders }),
        AuthModule.forRoot({ apiKeys: config.auth.apiKeys, jwt: config.auth.jwt, tenants: config.tenants, rateLimit: config.rateLimit }),
        MetricsModule.forRoot({
          enabled: config.metrics.enabled,
          key: config.metrics.key,
          defaultMetrics: config.metrics.defaultMetrics,
          tenantLabelLimit: config.metrics.tenantLabelLimit,
          knownTenants: Object.keys(config.tenants ?? {}),
          serverInfo: { version: PLATFORM_VERSION, nodeId: config.nodeId, sessionMode: config.sessions.mode },
        }),
        ...(config.audit.enabled
          ? [
              AuditModule.forRoot({
                destination: config.audit.file ?? 'stdout',
                arguments: config.audit.arguments,
                argumentsInFull: config.audit.argumentsInFull,
                nodeId: config.nodeId,
              }),
            ]
          : []),
        HealthModule.forRoot({ nodeId: config.nodeId, features: features(config, redis !== undefined) }),
        McpModule.forRoot({
          sessionMode: config.sessions.mode,
          sessionTtlSeconds: config.sessions.ttlSeconds,
          maxSessionsPerPrincipal: config.sessions.maxPerPrincipal,
          maxSessionsPerTenant: config.sessions.maxPerTenant,
          defaultToolTimeoutMs: config.mcp.defaultToolTimeoutMs,
          responseMode: config.mcp.responseMode,
          retryIntervalMs: config.mcp.retryIntervalMs,
          allowedHosts: config.http.allowedHosts,
          allowedOrigins: config.http.allowedOrigins,
          bodyLimitBytes: config.http.bodyLimitBytes,
          maxBatchSize: config.mcp.maxBatchSize,
          maxClientStateBytes: config.mcp.maxClientStateBytes,
          protocol: config.mcp.protocol,
          stateKeys: config.mcp.stateKeys,
          requestStateTtlSeconds: config.mcp.requestStateTtlSeconds,
          fastPaths: config.mcp.fastPaths,
          nodeId: config.nodeId,
          instructions: config.mcp.instructions,
          drainTimeoutMs: config.shutdown.graceSeconds * 1000 - closeReserveMs(config.shutdown.graceSeconds * 1000),
        }),
        ...enabledToolPacks(config.toolPacks),
        ...imports,
      ],
    };
  }
}

/** RedisModule's options when a URL, sentinels or cluster nodes are configured. */
function redisOptions(config: AppConfig) {
  const { redis } = config;
  const configured =
    config.redisUrl !== undefined ||
    (redis.mode === 'sentinel' && redis.sentinels.length > 0) ||
    (redis.mode === 'cluster' && redis.clusterNodes.length > 0);
  if (!configured) return undefined;
  return {
    url: config.redisUrl,
    mode: redis.mode,
    sentinels: redis.sentinels,
    sentinelName: redis.sentinelName,
    clusterNodes: redis.clusterNodes,
    commandTimeoutMs: redis.commandTimeoutMs,
    keyPrefix: redis.keyPrefix,
    connectionName: `mcp-platform:${config.nodeId}`,
  };
}

/** What `GET /health` says is switched on. */
function features(config: AppConfig, redis: boolean): Record<string, unknown> {
  const auth = credentialsConfigured(config);
  return {
    metrics: config.metrics.enabled,
    metricsKey: Boolean(config.metrics.key),
    redis,
    trustTenantHeaders: config.gateway.trustTenantHeaders,
    auth,
    rateLimiting: auth || config.rateLimit.anonymous !== undefined || Object.values(config.tenants).some((tenant) => tenant.rateLimit !== undefined),
    toolPacks: { ...config.toolPacks },
  };
}
