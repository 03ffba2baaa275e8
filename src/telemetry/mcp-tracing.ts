import { Injectable } from '@nestjs/common';
import { Attributes, Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { McpRequestContext } from '../mcp/interfaces/mcp-context.interface';
import { tracingActive } from './tracing';
import { PLATFORM_VERSION } from '../version';

/** What the wire says about one JSON-RPC request, beyond its method. */
export interface McpWireRequest {
  /** The JSON-RPC id. */
  id?: string | number;
  /** `params._meta`, where clients put `traceparent` / `tracestate`. */
  meta?: Record<string, unknown>;
  /** Resource URI or prompt name, for the span's name. */
  target?: string;
}

const TRACER_NAME = 'mcp-platform';

/** Reads `traceparent`/`tracestate` from `params._meta`. */
const META_GETTER = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => (typeof carrier[key] === 'string' ? (carrier[key] as string) : undefined),
};
const HEADER_GETTER = {
  keys: (carrier: Readonly<Record<string, string | undefined>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, string | undefined>>, key: string) => carrier[key],
};

/**
 * One SERVER span per MCP request, by OpenTelemetry's semantic conventions for MCP: named
 * `{mcp.method.name} {target}`, with `mcp.method.name`, `mcp.session.id`,
 * `mcp.protocol.version`, `jsonrpc.request.id`, `gen_ai.tool.name` and
 * `gen_ai.operation.name` (`execute_tool`) for tool calls, `error.type` on failure. Its
 * parent is the caller's: `params._meta.traceparent` first, else the HTTP request's span
 * (or its `traceparent` header). Active while the request runs, so Redis and outgoing HTTP
 * calls, and log lines, belong to it. With tracing off, `enabled` is false and nothing runs.
 */
@Injectable()
export class McpTracing {
  readonly enabled = tracingActive();
  private readonly tracer = trace.getTracer(TRACER_NAME, PLATFORM_VERSION);

  async inSpan<T>(
    method: string,
    request: McpRequestContext | undefined,
    tool: string | undefined,
    wire: McpWireRequest | undefined,
    run: (span: Span) => Promise<T>,
  ): Promise<T> {
    const target = tool ?? wire?.target;
    const attributes: Attributes = { 'mcp.method.name': method, 'jsonrpc.protocol.version': '2.0' };
    if (wire?.id !== undefined) attributes['jsonrpc.request.id'] = String(wire.id);
    if (request?.sessionId) attributes['mcp.session.id'] = request.sessionId;
    if (request?.protocolVersion) attributes['mcp.protocol.version'] = request.protocolVersion;
    if (request?.tenantId) attributes['mcp.tenant.id'] = request.tenantId;
    if (tool !== undefined && method === 'tools/call') {
      attributes['gen_ai.tool.name'] = tool;
      attributes['gen_ai.operation.name'] = 'execute_tool';
    }
    if (method === 'prompts/get' && target) attributes['gen_ai.prompt.name'] = target;
    if (method === 'resources/read' && target) attributes['mcp.resource.uri'] = target;
    const name = target && method !== 'resources/read' ? `${method} ${target}` : method;
    return this.tracer.startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, this.parentOf(request, wire), async (span) => {
      try {
        return await run(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Marks a span failed: `error.type` (a JSON-RPC code or `tool_error`). */
  static failed(span: Span, errorType: string): void {
    span.setAttribute('error.type', errorType);
    if (/^-?\d+$/.test(errorType)) span.setAttribute('rpc.jsonrpc.error_code', Number(errorType));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }

  private parentOf(request: McpRequestContext | undefined, wire: McpWireRequest | undefined): Context {
    const active = context.active();
    if (wire?.meta && typeof wire.meta.traceparent === 'string') return propagation.extract(ROOT_CONTEXT, wire.meta, META_GETTER);
    if (trace.getSpan(active)) return active;
    return request ? propagation.extract(active, request.headers, HEADER_GETTER) : active;
  }
}

/** The active span's trace and span ids, for log lines (none with tracing off). */
export function traceIds(): { traceId: string; spanId: string } | undefined {
  if (!tracingActive()) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return traceFlags === undefined ? undefined : { traceId, spanId };
}
