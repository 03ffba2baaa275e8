export { MetricsModule } from './metrics.module';
export type { MetricsModuleOptions } from './metrics-module-options.interface';
export { METRICS_PATH, MetricName, TENANT_NONE, TENANT_OTHER, TOOL_UNKNOWN } from './metrics.constants';
export { PlatformMetrics } from './platform.metrics';
export type { AuthFailureReason } from './platform.metrics';
