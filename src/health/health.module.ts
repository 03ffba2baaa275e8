import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GracefulShutdown } from './graceful-shutdown.service';
import { HealthController } from './health.controller';
import { LifecycleHealthIndicator } from './lifecycle.health';
import { McpRegistryHealthIndicator } from './mcp-registry.health';
import { SessionStoreHealthIndicator } from './session-store.health';

/**
 * `GET /health/live`, `/health/ready` and `/health` (@nestjs/terminus), and the drain that
 * `main.ts` runs on SIGTERM ({@link GracefulShutdown}). Needs the global config, lifecycle
 * and session store; uses the MCP registry and {@link PlatformMetrics} when present.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [SessionStoreHealthIndicator, LifecycleHealthIndicator, McpRegistryHealthIndicator, GracefulShutdown],
  exports: [GracefulShutdown],
})
export class HealthModule {}
