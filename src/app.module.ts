import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health';
import { LifecycleModule } from './lifecycle';
import { LoggingModule } from './logging/logging.module';
import { McpModule } from './mcp';
import { MetricsModule } from './metrics';
import { SessionModule } from './session';
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
        SessionModule.forRoot({ ttlSeconds: config.sessions.ttlSeconds }),
        TenantModule,
        McpModule.forRoot({
          sessionMode: config.sessions.mode,
          defaultToolTimeoutMs: config.mcp.defaultToolTimeoutMs,
          responseMode: config.mcp.responseMode,
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
