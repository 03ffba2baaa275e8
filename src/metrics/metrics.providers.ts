import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { LifecycleService } from '../lifecycle';
import { SessionStore } from '../session';
import { McpMetricsObserver } from './mcp-metrics.observer';
import {
  DURATION_BUCKETS,
  MetricName,
  OPERATION_DURATION_BUCKETS,
  SESSION_DURATION_BUCKETS,
  SIZE_BUCKETS,
  STORE_COLLECT_TIMEOUT_MS,
  STORE_DURATION_BUCKETS,
} from './metrics.constants';
import { PlatformMetrics } from './platform.metrics';

/** Every `mcp_*` metric, each injectable with `@InjectMetric(name)`. */
export const METRIC_PROVIDERS: Provider[] = [
  makeCounterProvider({
    name: MetricName.REQUESTS_TOTAL,
    help: 'MCP JSON-RPC requests served, by method, tool (tools/call), status (ok, tool_error, error) and tenant.',
    labelNames: ['method', 'tool', 'status', 'tenant'],
  }),
  makeHistogramProvider({
    name: MetricName.REQUEST_DURATION_SECONDS,
    help: 'Duration of MCP JSON-RPC requests in seconds, by method, tool and status.',
    labelNames: ['method', 'tool', 'status'],
    buckets: DURATION_BUCKETS,
  }),
  makeHistogramProvider({
    name: MetricName.REQUEST_SIZE_BYTES,
    help: 'Size of HTTP request bodies on MCP routes in bytes, by HTTP method.',
    labelNames: ['http_method'],
    buckets: SIZE_BUCKETS,
  }),
  makeHistogramProvider({
    name: MetricName.RESPONSE_SIZE_BYTES,
    help: 'Size of HTTP response bodies on MCP routes in bytes, by HTTP method.',
    labelNames: ['http_method'],
    buckets: SIZE_BUCKETS,
  }),
  makeCounterProvider({
    name: MetricName.HTTP_RESPONSES_TOTAL,
    help: 'HTTP exchanges on MCP routes, by HTTP method and status code.',
    labelNames: ['http_method', 'code'],
  }),
  makeGaugeProvider({
    name: MetricName.ACTIVE_REQUESTS,
    help: 'MCP JSON-RPC requests in progress on this replica, by method.',
    labelNames: ['method'],
  }),
  makeCounterProvider({
    name: MetricName.STREAMING_CHUNKS_TOTAL,
    help: 'Notifications streamed to clients (progress, log, list_changed, resource_updated, other).',
    labelNames: ['kind'],
  }),
  makeCounterProvider({ name: MetricName.SESSIONS_OPENED_TOTAL, help: 'MCP sessions opened (initialize) on this replica.' }),
  makeCounterProvider({ name: MetricName.SESSIONS_CLOSED_TOTAL, help: 'MCP sessions ended by the client (DELETE) on this replica.' }),
  makeGaugeProvider({
    name: MetricName.SERVER_INFO,
    help: 'Always 1; the labels tell the platform version, the replica (node_id) and the session mode.',
    labelNames: ['version', 'node_id', 'session_mode'],
  }),
  makeGaugeProvider({
    name: MetricName.TOOLS_REGISTERED,
    help: 'Tools registered on this replica.',
    inject: [McpMetricsObserver],
    collect(this: Gauge, observer: McpMetricsObserver) {
      this.set(observer.toolCount());
    },
  }),
  makeGaugeProvider({
    name: MetricName.SESSIONS_ACTIVE,
    help: 'Live sessions in the session store (a shared store reports the same value on every replica: aggregate with max).',
    inject: [{ token: SessionStore, optional: true }, PlatformMetrics],
    async collect(this: Gauge, store: SessionStore | undefined, metrics: PlatformMetrics) {
      if (!store) return;
      // A store outage must not fail the scrape: the gauge keeps its last value and the
      // error counter tells what happened.
      try {
        this.set(await metrics.storeOperation('count', () => withTimeout(store.count(), STORE_COLLECT_TIMEOUT_MS)));
      } catch {
        /* counted by storeOperation */
      }
    },
  }),
  makeGaugeProvider({
    name: MetricName.DRAINING,
    help: '1 while this replica drains after SIGTERM (readiness 503, new sessions refused), else 0.',
    inject: [{ token: LifecycleService, optional: true }],
    collect(this: Gauge, lifecycle: LifecycleService | undefined) {
      this.set(lifecycle?.draining ? 1 : 0);
    },
  }),
  makeCounterProvider({
    name: MetricName.AUTH_FAILURES_TOTAL,
    help: 'Requests refused for missing, invalid or mismatched credentials, by reason and tenant.',
    labelNames: ['reason', 'tenant'],
  }),
  makeCounterProvider({
    name: MetricName.RATE_LIMITED_TOTAL,
    help: 'Requests refused with 429 by a rate limit, by tenant.',
    labelNames: ['tenant'],
  }),
  makeHistogramProvider({
    name: MetricName.SERVER_OPERATION_DURATION_SECONDS,
    help: 'MCP request duration in seconds (OpenTelemetry mcp.server.operation.duration), by method, tool, tenant and outcome.',
    labelNames: ['mcp_method_name', 'gen_ai_tool_name', 'tenant', 'outcome'],
    buckets: OPERATION_DURATION_BUCKETS,
  }),
  makeHistogramProvider({
    name: MetricName.SERVER_SESSION_DURATION_SECONDS,
    help: 'Duration of ended MCP sessions in seconds (OpenTelemetry mcp.server.session.duration), by tenant and protocol version.',
    labelNames: ['tenant', 'mcp_protocol_version'],
    buckets: SESSION_DURATION_BUCKETS,
  }),
  makeHistogramProvider({
    name: MetricName.SESSION_STORE_OPERATION_DURATION_SECONDS,
    help: 'Duration of session store operations in seconds, by operation.',
    labelNames: ['operation'],
    buckets: STORE_DURATION_BUCKETS,
  }),
  makeCounterProvider({
    name: MetricName.SESSION_STORE_ERRORS_TOTAL,
    help: 'Failed session store operations (unreachable, timed out, refused), by operation.',
    labelNames: ['operation'],
  }),
];

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
