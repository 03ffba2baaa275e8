import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health';
import { LifecycleModule } from './lifecycle';
import { LoggingModule } from './logging/logging.module';
import { McpModule } from './mcp';
import { MetricsModule } from './metrics';
import { SessionModule, SessionModuleOptions } from './session';
import { AuthModule } from './auth';
import { TenantModule } from './tenant';
import { enabledToolPacks } from './tools/tool-packs';
import { PLATFORM_VERSION } from './version';

/** The platform, assembled from a validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        LifecycleModule,
        MetricsModule.forRoot({
          enabled: config.metrics.enabled,
          key: config.metrics.key,
          defaultMetrics: config.metrics.defaultMetrics,
          tenantLabelLimit: config.metrics.tenantLabelLimit,
          knownTenants: Object.keys(config.tenants ?? {}),
          serverInfo: { version: PLATFORM_VERSION, nodeId: config.nodeId, sessionMode: config.sessions.mode },
        }),
        HealthModule,
        SessionModule.forRoot(sessionOptions(config)),
        TenantModule,
        AuthModule.forRoot(),
        McpModule.forRoot({
          sessionMode: config.sessions.mode,
          defaultToolTimeoutMs: config.mcp.defaultToolTimeoutMs,
          responseMode: config.mcp.responseMode,
          retryIntervalMs: config.mcp.retryIntervalMs,
          allowedHosts: config.http.allowedHosts,
          allowedOrigins: config.http.allowedOrigins,
          bodyLimitBytes: config.http.bodyLimitBytes,
          nodeId: config.nodeId,
          instructions: config.mcp.instructions,
        }),
        ...enabledToolPacks(config.toolPacks),
      ],
    };
  }
}

/** Redis when a URL, sentinels or cluster nodes are configured; memory otherwise. */
export function sessionOptions(config: AppConfig): SessionModuleOptions {
  const { redis } = config;
  const useRedis =
    config.redisUrl !== undefined ||
    (redis.mode === 'sentinel' && redis.sentinels.length > 0) ||
    (redis.mode === 'cluster' && redis.clusterNodes.length > 0);
  return {
    ttlSeconds: config.sessions.ttlSeconds,
    maxEventsPerStream: redis.maxEventsPerStream,
    completedStreamTtlSeconds: redis.completedStreamTtlSeconds,
    ...(useRedis && {
      redis: {
        url: config.redisUrl,
        mode: redis.mode,
        sentinels: redis.sentinels,
        sentinelName: redis.sentinelName,
        clusterNodes: redis.clusterNodes,
        commandTimeoutMs: redis.commandTimeoutMs,
        keyPrefix: redis.keyPrefix,
        connectionName: `mcp-platform:${config.nodeId}`,
      },
    }),
  };
}
