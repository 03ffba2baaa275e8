import { PLATFORM_VERSION } from '../version';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { MCP_OBSERVER } from '../mcp/interfaces/mcp-observer.interface';
import { McpMetricsObserver } from './mcp-metrics.observer';
import { MetricsController } from './metrics.controller';
import { METRICS_MODULE_OPTIONS, METRICS_PATH, MetricName } from './metrics.constants';
import { MetricsKeyGuard } from './metrics-key.guard';
import type { MetricsModuleOptions, ResolvedMetricsOptions } from './metrics-module-options.interface';
import { METRIC_PROVIDERS } from './metrics.providers';
import { PlatformMetrics } from './platform.metrics';
import { TenantLabelPolicy } from './tenant-label.policy';

/** A metric every default-metrics collection registers; present means already collected. */
const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

/**
 * Prometheus metrics of the platform (`mcp_*`, plus Node.js process metrics) at
 * `GET /metrics`, and the {@link McpObserver} the MCP edge reports to (`MCP_OBSERVER`).
 * Global: {@link PlatformMetrics} is injectable everywhere.
 *
 * Metrics live in prom-client's default registry, which is process-wide; the module takes
 * its `mcp_*` metrics out of it at shutdown so that another app in the same process (tests)
 * starts from fresh ones.
 */
@Global()
@Module({})
export class MetricsModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(METRICS_MODULE_OPTIONS) private readonly options: ResolvedMetricsOptions) {}

  /**
   * @example MetricsModule.forRoot({ serverInfo: { version, nodeId, sessionMode }, key: process.env.MCP_METRICS_KEY })
   */
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    const resolved = resolveMetricsOptions(options);
    return {
      module: MetricsModule,
      // The route exists only when enabled; the metrics are kept either way so that
      // injecting the observer or PlatformMetrics never depends on configuration.
      imports: resolved.enabled
        ? [PrometheusModule.register({ controller: MetricsController, path: METRICS_PATH, defaultMetrics: { enabled: false } })]
        : [],
      providers: [
        { provide: METRICS_MODULE_OPTIONS, useValue: resolved },
        {
          provide: TenantLabelPolicy,
          useFactory: (o: ResolvedMetricsOptions) => new TenantLabelPolicy(o.tenantLabelLimit, o.knownTenants),
          inject: [METRICS_MODULE_OPTIONS],
        },
        ...METRIC_PROVIDERS,
        McpMetricsObserver,
        { provide: MCP_OBSERVER, useExisting: McpMetricsObserver },
        PlatformMetrics,
        MetricsKeyGuard,
      ],
      exports: [MCP_OBSERVER, PlatformMetrics, METRICS_MODULE_OPTIONS],
    };
  }

  onModuleInit(): void {
    // Process metrics are process-wide: collect them once, whatever number of apps.
    if (this.options.defaultMetrics && !register.getSingleMetric(DEFAULT_METRICS_MARKER)) collectDefaultMetrics();
  }

  onApplicationShutdown(): void {
    for (const name of Object.values(MetricName)) register.removeSingleMetric(name);
  }
}

/** Defaults merged in one place. */
export function resolveMetricsOptions(options: MetricsModuleOptions): ResolvedMetricsOptions {
  return {
    enabled: options.enabled ?? true,
    key: options.key || undefined,
    defaultMetrics: options.defaultMetrics ?? true,
    tenantLabelLimit: options.tenantLabelLimit ?? 100,
    knownTenants: options.knownTenants ?? [],
    serverInfo: options.serverInfo ?? { version: PLATFORM_VERSION, nodeId: 'local', sessionMode: 'stateful' },
  };
}
