import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { LifecycleService } from '../src/lifecycle';
import { MetricName } from '../src/metrics';
import { HealthPath } from '../src/health';
import { SessionStore } from '../src/session';
import { PLATFORM_VERSION } from '../src/version';
import { ConnectedClient, RunningPlatform, connectClient, startPlatform } from './helpers/platform';
import { metricNames, parseSamples, valueOf } from './helpers/prometheus';

/** Every metric the platform promises (README "Observe"). */
const PUBLISHED_METRICS = Object.values(MetricName);
const SEED_METRICS = [
  'mcp_requests_total',
  'mcp_request_duration_seconds',
  'mcp_request_size_bytes',
  'mcp_response_size_bytes',
  'mcp_active_requests',
  'mcp_streaming_chunks_total',
  'mcp_tools_registered',
  'mcp_server_info',
  'mcp_sessions_active',
  'mcp_auth_failures_total',
  'mcp_rate_limited_total',
  'mcp_session_store_operation_duration_seconds',
  'mcp_session_store_errors_total',
];
const METRICS_KEY = 'e2e-metrics-key-0123456789';

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body of any shape, read by deep property access in assertions
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

describe('operations endpoints: /metrics and /health', () => {
  let platform: RunningPlatform | undefined;
  let connected: ConnectedClient | undefined;

  afterEach(async () => {
    await connected?.client.close();
    await platform?.close();
    connected = undefined;
    platform = undefined;
  });

  describe('GET /metrics', () => {
    it('serves the Prometheus text format with every published metric and the Node.js ones', async () => {
      platform = await startPlatform();
      const { status, headers, text } = await get(`${platform.baseUrl}/metrics`);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toContain('text/plain');
      const names = metricNames(text);
      expect(names).toEqual(expect.arrayContaining([...SEED_METRICS, ...PUBLISHED_METRICS]));
      expect(names).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']));
    });

    it('labels mcp_server_info with version, node id and session mode', async () => {
      platform = await startPlatform({ sessions: { mode: 'stateless' } });
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      expect(valueOf(samples, 'mcp_server_info', { version: PLATFORM_VERSION, node_id: 'test-node', session_mode: 'stateless' })).toBe(1);
    });

    it('counts the registered tools', async () => {
      platform = await startPlatform();
      connected = await connectClient(platform.mcpUrl);
      const { tools } = await connected.client.listTools();
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      expect(valueOf(samples, 'mcp_tools_registered')).toBe(tools.length);
    });

    it('counts a tools/call by method, tool, status and tenant, and its duration', async () => {
      platform = await startPlatform();
      connected = await connectClient(platform.mcpUrl);
      await connected.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      const labels = { method: 'tools/call', tool: 'add', status: 'ok' };
      expect(valueOf(samples, 'mcp_requests_total', { ...labels, tenant: '_none' })).toBe(1);
      expect(valueOf(samples, 'mcp_request_duration_seconds_count', labels)).toBe(1);
      expect(valueOf(samples, 'mcp_active_requests', { method: 'tools/call' })).toBe(0);
    });

    it('labels the tenant of a call made on a tenant path', async () => {
      platform = await startPlatform();
      connected = await connectClient(`${platform.baseUrl}/tenants/acme/mcp`);
      await connected.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      expect(valueOf(samples, 'mcp_requests_total', { method: 'tools/call', tool: 'add', tenant: 'acme' })).toBe(1);
    });

    it('counts progress notifications as streaming chunks', async () => {
      platform = await startPlatform();
      connected = await connectClient(platform.mcpUrl);
      let progressed = 0;
      await connected.client.callTool({ name: 'generate_numbers', arguments: { count: 3, delayMs: 0 } }, CallToolResultSchema, {
        onprogress: () => (progressed += 1),
      });
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      expect(progressed).toBe(3);
      expect(valueOf(samples, 'mcp_streaming_chunks_total', { kind: 'progress' })).toBe(3);
    });

    it('records size and status code of every HTTP exchange on an MCP route', async () => {
      platform = await startPlatform();
      connected = await connectClient(platform.mcpUrl);
      await connected.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      expect(valueOf(samples, 'mcp_request_size_bytes_count', { http_method: 'POST' })).toBeGreaterThanOrEqual(3);
      expect(valueOf(samples, 'mcp_response_size_bytes_sum', { http_method: 'POST' })).toBeGreaterThan(0);
      expect(valueOf(samples, 'mcp_http_responses_total', { http_method: 'POST', code: '200' })).toBeGreaterThanOrEqual(2);
    });

    it('counts sessions opened and reports the live ones (stateful)', async () => {
      platform = await startPlatform();
      connected = await connectClient(platform.mcpUrl);
      const samples = parseSamples((await get(`${platform.baseUrl}/metrics`)).text);
      expect(valueOf(samples, 'mcp_sessions_opened_total')).toBe(1);
      expect(valueOf(samples, 'mcp_sessions_active')).toBe(1);
    });

    it('needs the metrics key as a bearer token when one is configured', async () => {
      platform = await startPlatform({ metrics: { key: METRICS_KEY } });
      const refused = await get(`${platform.baseUrl}/metrics`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect((await get(`${platform.baseUrl}/metrics`, { authorization: 'Bearer wrong-key-0123456789' })).status).toBe(401);
      const allowed = await get(`${platform.baseUrl}/metrics`, { authorization: `Bearer ${METRICS_KEY}` });
      expect(allowed.status).toBe(200);
      expect(metricNames(allowed.text)).toContain('mcp_requests_total');
    });

    it('is not served when metrics are disabled', async () => {
      platform = await startPlatform({ metrics: { enabled: false } });
      expect((await get(`${platform.baseUrl}/metrics`)).status).toBe(404);
    });
  });

  describe('GET /health/live', () => {
    it('answers 200', async () => {
      platform = await startPlatform();
      const live = await get(`${platform.baseUrl}${HealthPath.LIVE}`);
      expect(live.status).toBe(200);
      expect(live.json()).toMatchObject({ status: 'ok' });
    });

    it('stays 200 while the session store is unreachable', async () => {
      platform = await startPlatform();
      jest.spyOn(platform.app.get<SessionStore>(SessionStore), 'ping').mockRejectedValue(new Error('ECONNREFUSED'));
      expect((await get(`${platform.baseUrl}${HealthPath.LIVE}`)).status).toBe(200);
    });
  });

  describe('GET /health/ready', () => {
    it('answers 200 with the shutdown, registry and session store indicators up', async () => {
      platform = await startPlatform();
      const ready = await get(`${platform.baseUrl}${HealthPath.READY}`);
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({
        status: 'ok',
        details: {
          shutdown: { status: 'up' },
          registry: { status: 'up', tools: expect.any(Number) },
          sessionStore: { status: 'up', store: 'memory' },
        },
      });
    });

    it('answers 503 while the session store is unreachable, and 200 again once it is back', async () => {
      platform = await startPlatform();
      const ping = jest.spyOn(platform.app.get<SessionStore>(SessionStore), 'ping').mockRejectedValue(new Error('ECONNREFUSED'));
      const down = await get(`${platform.baseUrl}${HealthPath.READY}`);
      expect(down.status).toBe(503);
      expect(down.json()).toMatchObject({ status: 'error', error: { sessionStore: { status: 'down', message: 'ECONNREFUSED' } } });
      ping.mockRestore();
      expect((await get(`${platform.baseUrl}${HealthPath.READY}`)).status).toBe(200);
    });

    it('answers 503 once the replica drains', async () => {
      platform = await startPlatform();
      await platform.app.get(LifecycleService).beginDrain();
      const ready = await get(`${platform.baseUrl}${HealthPath.READY}`);
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ error: { shutdown: { status: 'down' } } });
    });

    it('answers 503 when no tool, resource or prompt is registered', async () => {
      platform = await startPlatform({ toolPacks: { calculator: false, diagnostics: false, examples: false } });
      const ready = await get(`${platform.baseUrl}${HealthPath.READY}`);
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ error: { registry: { status: 'down' } } });
    });
  });

  describe('GET /health', () => {
    it('details node id, version, uptime, sessions, tool count and features', async () => {
      platform = await startPlatform();
      connected = await connectClient(platform.mcpUrl);
      const { tools } = await connected.client.listTools();
      const detail = await get(`${platform.baseUrl}${HealthPath.ROOT}`);
      expect(detail.status).toBe(200);
      expect(detail.json()).toEqual({
        status: 'healthy',
        nodeId: 'test-node',
        version: PLATFORM_VERSION,
        uptime: expect.any(Number),
        timestamp: expect.any(String),
        sessionMode: 'stateful',
        activeSessions: 1,
        tools: tools.length,
        resources: expect.any(Number),
        prompts: expect.any(Number),
        features: {
          metrics: true,
          metricsKey: false,
          auth: false,
          rateLimiting: false,
          redis: false,
          trustTenantHeaders: false,
          toolPacks: expect.objectContaining({ calculator: true, diagnostics: true, examples: true }),
        },
        checks: expect.objectContaining({ sessionStore: expect.objectContaining({ status: 'up' }) }),
      });
    });

    it('says draining with 503 once the replica drains', async () => {
      platform = await startPlatform();
      await platform.app.get(LifecycleService).beginDrain();
      const detail = await get(`${platform.baseUrl}${HealthPath.ROOT}`);
      expect(detail.status).toBe(503);
      expect(detail.json()).toMatchObject({ status: 'draining', nodeId: 'test-node' });
    });

    it('reports null active sessions and 503 while the session store is unreachable', async () => {
      platform = await startPlatform();
      const store = platform.app.get<SessionStore>(SessionStore);
      jest.spyOn(store, 'ping').mockRejectedValue(new Error('ECONNREFUSED'));
      jest.spyOn(store, 'count').mockRejectedValue(new Error('ECONNREFUSED'));
      const detail = await get(`${platform.baseUrl}${HealthPath.ROOT}`);
      expect(detail.status).toBe(503);
      expect(detail.json()).toMatchObject({ status: 'unhealthy', activeSessions: null });
    });
  });
});
