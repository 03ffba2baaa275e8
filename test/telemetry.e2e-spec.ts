import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { IncomingMessage, Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { INITIALIZE, MCP_ACCEPT, readMessages } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { RedisServer, startRedis } from './helpers/redis';
import { ReplicaSet, startReplicas } from './helpers/replicas';

interface ExportRequest {
  contentType: string;
  body: Buffer;
}

/** An OTLP/HTTP receiver: keeps every export request it gets on /v1/traces. */
async function startReceiver(): Promise<{ url: string; requests: ExportRequest[]; close(): Promise<void> }> {
  const requests: ExportRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') requests.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
      res
        .writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' })
        .end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}

/** Spans of OTLP/JSON export bodies, with attributes as a plain object. */
function spansOf(requests: ExportRequest[]): Array<OtlpSpan & { attrs: Record<string, unknown>; service?: string }> {
  const spans: Array<OtlpSpan & { attrs: Record<string, unknown>; service?: string }> = [];
  for (const request of requests) {
    if (!request.contentType.includes('json')) continue;
    const body = JSON.parse(request.body.toString()) as {
      resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
    };
    for (const resourceSpans of body.resourceSpans) {
      const service = resourceSpans.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue;
      for (const scope of resourceSpans.scopeSpans) {
        for (const span of scope.spans) {
          const attrs = Object.fromEntries(span.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue]));
          spans.push({ ...span, attrs, service });
        }
      }
    }
  }
  return spans;
}

const traceparentFor = (traceId: string, spanId = randomBytes(8).toString('hex')) => `00-${traceId}-${spanId}-01`;

describe.each(['express', 'fastify'] as const)('OpenTelemetry tracing (%s, OTLP http/json)', (adapter) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let redis: RedisServer;
  let fleet: ReplicaSet;
  let mcpUrl: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    redis = await startRedis();
    fleet = await startReplicas(1, {
      HTTP_ADAPTER: adapter,
      REDIS_URL: redis.url,
      MCP_ALLOW_ANONYMOUS: 'true',
      LOG_LEVEL: 'info',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'mcp-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    mcpUrl = `${fleet.replicas[0].baseUrl}/mcp`;
  }, 60_000);

  afterAll(async () => {
    await fleet?.stopAll();
    await redis?.stop();
    await receiver?.close();
  });

  it('gives a tools/call a SERVER span under the caller’s traceparent, with the MCP attributes, and Redis spans in its trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { traceparent: traceparentFor(traceId) } } });
    const client = new Client({ name: 'trace-test', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(result.isError).toBeFalsy();
    await client.close();

    await waitFor(
      () => spansOf(receiver.requests).some((span) => span.traceId === traceId && span.name === 'tools/call add'),
      15_000,
      'the tools/call span',
    );
    const spans = spansOf(receiver.requests).filter((span) => span.traceId === traceId);
    const call = spans.find((span) => span.name === 'tools/call add')!;
    expect(call.kind).toBe(2); // SERVER
    expect(call.service).toBe('mcp-under-test');
    expect(call.attrs).toMatchObject({
      'mcp.method.name': 'tools/call',
      'mcp.session.id': sessionId,
      'mcp.protocol.version': '2025-11-25',
      'gen_ai.tool.name': 'add',
      'gen_ai.operation.name': 'execute_tool',
    });
    expect(typeof call.attrs['jsonrpc.request.id']).toBe('string');
    expect(call.attrs['error.type']).toBeUndefined();
    // The HTTP server span (instrumentation-http) sits between the caller and the MCP span.
    const http = spans.find((span) => span.spanId === call.parentSpanId);
    expect(http?.kind).toBe(2);
    // Session lookups in Redis are children in the same trace.
    expect(spans.some((span) => span.kind === 3 && String(span.attrs['db.system'] ?? span.attrs['db.system.name']) === 'redis')).toBe(true);
  }, 30_000);

  it('takes the parent from params._meta.traceparent, marks failures with error.type, and puts the trace id in log lines', async () => {
    const traceId = randomBytes(16).toString('hex');
    const headers = { 'content-type': 'application/json', accept: MCP_ACCEPT };
    const init = await fetch(mcpUrl, { method: 'POST', headers, body: JSON.stringify(INITIALIZE) });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const call = {
      jsonrpc: '2.0',
      id: 'call-1',
      method: 'tools/call',
      params: { name: 'divide', arguments: { a: 1, b: 0 }, _meta: { traceparent: traceparentFor(traceId) } },
    };
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify(call),
    });
    const [answer] = await readMessages(response);
    expect(answer).toMatchObject({ id: 'call-1' });

    await waitFor(() => spansOf(receiver.requests).some((span) => span.traceId === traceId), 15_000, 'the span under _meta.traceparent');
    const span = spansOf(receiver.requests).find((candidate) => candidate.traceId === traceId)!;
    expect(span.name).toBe('tools/call divide');
    expect(span.attrs['jsonrpc.request.id']).toBe('call-1');
    expect(span.attrs['error.type']).toEqual(expect.any(String));
    expect(span.status?.code).toBe(2); // ERROR

    // The audit record of that call is written inside its span: it carries the trace id.
    await waitFor(() => fleet.replicas[0].process.output().includes(traceId), 5_000, 'a log line with the trace id');
    const lines = fleet.replicas[0].process
      .output()
      .split('\n')
      .filter((line) => line.includes(traceId));
    expect(lines.some((line) => (JSON.parse(line) as { type?: string }).type === 'audit')).toBe(true);
  }, 30_000);

  it('gives a 2026-07-28 request its span too, under params._meta.traceparent', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: MCP_ACCEPT,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'multiply',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'modern-1',
        method: 'tools/call',
        params: {
          name: 'multiply',
          arguments: { a: 2, b: 4 },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            traceparent: traceparentFor(traceId),
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    await waitFor(() => spansOf(receiver.requests).some((span) => span.traceId === traceId), 15_000, 'the 2026-07-28 span');
    const span = spansOf(receiver.requests).find((candidate) => candidate.traceId === traceId)!;
    expect(span.name).toBe('tools/call multiply');
    expect(span.attrs).toMatchObject({ 'mcp.protocol.version': '2026-07-28', 'jsonrpc.request.id': 'modern-1', 'gen_ai.tool.name': 'multiply' });
  }, 30_000);
});

describe('OpenTelemetry tracing (OTLP http/protobuf)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let fleet: ReplicaSet;

  beforeAll(async () => {
    receiver = await startReceiver();
    fleet = await startReplicas(1, {
      MCP_SESSION_MODE: 'stateless',
      MCP_ALLOW_ANONYMOUS: 'true',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 60_000);

  afterAll(async () => {
    await fleet?.stopAll();
    await receiver?.close();
  });

  it('exports the span as protobuf, under the caller’s trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${fleet.replicas[0].baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, traceparent: traceparentFor(traceId) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 } } }),
    });
    expect((await readMessages(response))[0]).toMatchObject({ result: { structuredContent: { result: 2 } } });
    const traceBytes = Buffer.from(traceId, 'hex');
    await waitFor(
      () => receiver.requests.some((request) => request.contentType === 'application/x-protobuf' && request.body.includes(traceBytes)),
      15_000,
      'a protobuf export holding the trace id',
    );
    const body = receiver.requests.find((request) => request.body.includes(traceBytes))!.body;
    for (const text of ['tools/call add', 'mcp.method.name', 'gen_ai.tool.name', 'execute_tool']) expect(body.includes(Buffer.from(text))).toBe(true);
  }, 30_000);
});

describe('tracing switched off', () => {
  const tracing = resolve(__dirname, '..', 'dist', 'telemetry', 'tracing.js');
  const probe = (exporter: string, disabled = '') =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          `const t = require(${JSON.stringify(tracing)});
           const on = t.startTracing({ OTEL_TRACES_EXPORTER: process.argv[1], OTEL_SDK_DISABLED: process.argv[2] });
           const loaded = Object.keys(require.cache).some((path) => path.includes('@opentelemetry'));
           process.stdout.write(JSON.stringify({ on, loaded }));
           process.exit(0);`,
          exporter,
          disabled,
        ],
        { encoding: 'utf8' },
      ),
    ) as { on: boolean; loaded: boolean };

  it('loads none of the OpenTelemetry SDK unless OTEL_TRACES_EXPORTER asks for it', () => {
    expect(probe('')).toEqual({ on: false, loaded: false });
    expect(probe('none')).toEqual({ on: false, loaded: false });
    expect(probe('otlp', 'true')).toEqual({ on: false, loaded: false });
    expect(probe('otlp')).toEqual({ on: true, loaded: true });
  });
});
