import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { LifecycleModule } from './lifecycle';
import { LoggingModule } from './logging/logging.module';
import { McpModule } from './mcp';
import { SessionModule } from './session';
import { TenantModule } from './tenant';
import { enabledToolPacks } from './tools/tool-packs';

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
