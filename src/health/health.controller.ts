import { Controller, Get, HttpStatus, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { LifecycleService } from '../lifecycle';
import { MCP_MODULE_OPTIONS } from '../mcp/mcp.constants';
import type { McpModuleOptions } from '../mcp/mcp-module-options.interface';
import { PLATFORM_VERSION } from '../version';
import { HEALTH_MODULE_OPTIONS, HealthKey, HealthPath } from './health.constants';
import type { HealthModuleOptions } from './health-module-options.interface';
import type { HealthDetail } from './health-detail.interface';
import { LifecycleHealthIndicator } from './lifecycle.health';
import { McpRegistryHealthIndicator } from './mcp-registry.health';
import { SessionStoreHealthIndicator } from './session-store.health';

/**
 * Liveness, readiness and detail, for Kubernetes probes, load balancers and people; public
 * (the MCP route guards do not apply here).
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly lifecycle: LifecycleService,
    private readonly shutdown: LifecycleHealthIndicator,
    private readonly registry: McpRegistryHealthIndicator,
    private readonly store: SessionStoreHealthIndicator,
    @Optional() @Inject(HEALTH_MODULE_OPTIONS) private readonly options: HealthModuleOptions = {},
    @Optional() @Inject(MCP_MODULE_OPTIONS) private readonly mcp?: McpModuleOptions,
  ) {}

  /** 200 while the event loop answers; checks nothing external, so a store outage never restarts pods. */
  @Get(HealthPath.LIVE)
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** 200 when this replica can take traffic: not draining, registry loaded, session store reachable. */
  @Get(HealthPath.READY)
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.readinessChecks());
  }

  /** Readiness plus what the replica is: 200 or 503 like `/health/ready`, with the same body either way. */
  @Get(HealthPath.ROOT)
  @HealthCheck()
  async detail(@Res({ passthrough: true }) response: Response): Promise<HealthDetail> {
    const [result, activeSessions] = await Promise.all([this.readiness(), this.store.activeSessions()]);
    const ready = result.status === 'ok' || result.status === 'degraded';
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const counts = this.registry.counts();
    return {
      status: ready ? 'healthy' : this.lifecycle.draining ? 'draining' : 'unhealthy',
      nodeId: this.options.nodeId ?? this.mcp?.nodeId ?? 'local',
      version: PLATFORM_VERSION,
      uptime: Math.floor(process.uptime()),
      timestamp: new Date().toISOString(),
      sessionMode: this.mcp?.sessionMode ?? 'stateful',
      activeSessions,
      tools: counts?.tools ?? 0,
      resources: (counts?.resources ?? 0) + (counts?.resourceTemplates ?? 0),
      prompts: counts?.prompts ?? 0,
      features: { redis: this.store.kind === 'redis', ...this.options.features },
      checks: result.details,
    };
  }

  private readinessChecks() {
    return [
      () => this.shutdown.isAcceptingTraffic(HealthKey.SHUTDOWN),
      () => this.registry.isLoaded(HealthKey.REGISTRY),
      () => this.store.isReachable(HealthKey.SESSION_STORE),
    ];
  }

  /** The readiness result whether it passed or not. */
  private async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.readinessChecks());
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }
}
