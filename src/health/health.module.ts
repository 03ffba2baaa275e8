import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LifecycleModule } from '../lifecycle';
import { HealthController } from './health.controller';
import { HEALTH_MODULE_OPTIONS } from './health.constants';
import type { HealthModuleOptions } from './health-module-options.interface';
import { LifecycleHealthIndicator } from './lifecycle.health';
import { McpRegistryHealthIndicator } from './mcp-registry.health';
import { SessionStoreHealthIndicator } from './session-store.health';

/**
 * `GET /health/live`, `/health/ready` and `/health` (@nestjs/terminus): liveness never
 * depends on anything external; readiness needs the replica not draining, the MCP registry
 * loaded and the session store reachable. Import the class, or `forRoot()` for details.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), LifecycleModule],
  controllers: [HealthController],
  providers: [SessionStoreHealthIndicator, LifecycleHealthIndicator, McpRegistryHealthIndicator],
})
export class HealthModule {
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    return { module: HealthModule, providers: [{ provide: HEALTH_MODULE_OPTIONS, useValue: options }] };
  }
}
