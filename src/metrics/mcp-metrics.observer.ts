import { Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { McpRegistry } from '../mcp/discovery/mcp.registry';
import type { McpExchangeObservation, McpObserver, McpRequestObservation, McpSessionObservation } from '../mcp/interfaces/mcp-observer.interface';
import { InjectMetricsOptions, KNOWN_METHODS, KNOWN_PROTOCOL_VERSIONS, METHOD_OTHER, MetricName, TOOL_UNKNOWN } from './metrics.constants';
import type { ResolvedMetricsOptions } from './metrics-module-options.interface';
import { TenantLabelPolicy } from './tenant-label.policy';

type RequestLabels = 'method' | 'tool' | 'status';

/**
 * The {@link McpObserver} the MCP edge reports to, recorded as Prometheus metrics. Label
 * values that clients choose (method, tool, tenant) are bounded: unknown methods and tools
 * fold into `_other` / `_unknown`, tenants past the limit into `_other`.
 */
@Injectable()
export class McpMetricsObserver implements McpObserver, OnApplicationBootstrap {
  constructor(
    @InjectMetric(MetricName.REQUESTS_TOTAL) private readonly requests: Counter<RequestLabels | 'tenant'>,
    @InjectMetric(MetricName.REQUEST_DURATION_SECONDS) private readonly duration: Histogram<RequestLabels>,
    @InjectMetric(MetricName.ACTIVE_REQUESTS) private readonly active: Gauge<'method'>,
    @InjectMetric(MetricName.REQUEST_SIZE_BYTES) private readonly requestSize: Histogram<'http_method'>,
    @InjectMetric(MetricName.RESPONSE_SIZE_BYTES) private readonly responseSize: Histogram<'http_method'>,
    @InjectMetric(MetricName.HTTP_RESPONSES_TOTAL) private readonly httpResponses: Counter<'http_method' | 'code'>,
    @InjectMetric(MetricName.STREAMING_CHUNKS_TOTAL) private readonly chunks: Counter<'kind'>,
    @InjectMetric(MetricName.SESSIONS_OPENED_TOTAL) private readonly opened: Counter,
    @InjectMetric(MetricName.SESSIONS_CLOSED_TOTAL) private readonly closed: Counter,
    @InjectMetric(MetricName.SERVER_OPERATION_DURATION_SECONDS)
    private readonly operations: Histogram<'mcp_method_name' | 'gen_ai_tool_name' | 'tenant' | 'outcome'>,
    @InjectMetric(MetricName.SERVER_SESSION_DURATION_SECONDS) private readonly sessions: Histogram<'tenant' | 'mcp_protocol_version'>,
    @InjectMetric(MetricName.SERVER_INFO) private readonly serverInfo: Gauge<'version' | 'node_id' | 'session_mode'>,
    @InjectMetricsOptions() private readonly options: ResolvedMetricsOptions,
    private readonly tenants: TenantLabelPolicy,
    // Optional: MetricsModule also works in an app without McpModule.
    @Optional() private readonly registry?: McpRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const { version, nodeId, sessionMode } = this.options.serverInfo;
    this.serverInfo.set({ version, node_id: nodeId, session_mode: sessionMode }, 1);
  }

  /** Tools in the registry (the `mcp_tools_registered` gauge). */
  toolCount(): number {
    return this.registry?.size.tools ?? 0;
  }

  requestStarted(method: string): void {
    this.active.inc({ method: methodLabel(method) });
  }

  requestFinished(observation: McpRequestObservation): void {
    const labels = {
      method: methodLabel(observation.method),
      tool: this.toolLabel(observation),
      status: observation.status,
    };
    const tenant = this.tenants.label(observation.tenantId);
    this.active.dec({ method: labels.method });
    this.requests.inc({ ...labels, tenant });
    this.duration.observe(labels, observation.durationSeconds);
    this.operations.observe(
      { mcp_method_name: labels.method, gen_ai_tool_name: labels.tool, tenant, outcome: observation.outcome },
      observation.durationSeconds,
    );
  }

  exchangeFinished(observation: McpExchangeObservation): void {
    const httpMethod = observation.httpMethod.toUpperCase();
    this.requestSize.observe({ http_method: httpMethod }, observation.requestBytes);
    this.responseSize.observe({ http_method: httpMethod }, observation.responseBytes);
    this.httpResponses.inc({ http_method: httpMethod, code: String(observation.status) });
  }

  notificationSent(kind: Parameters<McpObserver['notificationSent']>[0]): void {
    this.chunks.inc({ kind });
  }

  sessionOpened(): void {
    this.opened.inc();
  }

  sessionClosed(session?: McpSessionObservation): void {
    this.closed.inc();
    if (!session) return;
    const version = session.protocolVersion && KNOWN_PROTOCOL_VERSIONS.has(session.protocolVersion) ? session.protocolVersion : METHOD_OTHER;
    this.sessions.observe({ tenant: this.tenants.label(session.tenantId), mcp_protocol_version: version }, session.durationSeconds);
  }

  private toolLabel({ method, tool }: McpRequestObservation): string {
    if (method !== 'tools/call' || !tool) return '';
    return this.registry?.getTool(tool) ? tool : TOOL_UNKNOWN;
  }
}

function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : METHOD_OTHER;
}
