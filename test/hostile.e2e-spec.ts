import fc from 'fast-check';
import { GracefulShutdown } from '../src/lifecycle';
import { collectGarbage, metricSum, ownDescriptors } from './helpers/load';
import { INITIALIZE, MCP_ACCEPT, RunningPlatform, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';

/** Statuses a refusal may have; anything else (a 500, a hang) is a defect. */
const ANSWERS = new Set([200, 202, 400, 401, 403, 404, 405, 406, 409, 410, 413, 415, 429, 503]);
/** A Node stack frame, as it would appear if one leaked into a response. */
const STACK_FRAME = /\n\s+at .*[(\s/\\][^\s()]+:\d+:\d+\)?/;
const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'resources/subscribe',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
];
/** Tools whose valid inputs may run long on purpose; the rest get any arguments at all. */
const SLOW_TOOLS = new Set(['generate_numbers']);
/** Descriptors the process may hold above its baseline once idle (files Jest opened meanwhile, a socket still closing). */
const FD_SLACK = 8;
/** Heap (after GC) the process may hold above its baseline: JIT code, caches that fill once; a leak of ~1000 requests would show. */
const HEAP_GROWTH_MB = 64;
/** Header values fetch can send: printable ASCII. */
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,64}$/);

const messageArb = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.jsonValue()),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), fc.constant(null), fc.double(), fc.jsonValue()),
    method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 20 }), fc.jsonValue()),
    params: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }), fc.jsonValue()),
    result: fc.jsonValue(),
    error: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/**
 * Generated hostile input over real HTTP, in both session modes: broken and truncated JSON,
 * JSON-RPC shapes with wrong types, batches, every tool with arguments of any type, and
 * malformed protocol headers. Every request is answered within a bound, with an expected
 * status and no stack trace; afterwards the server answers and nothing is left in flight.
 */
describe.each(['stateful', 'stateless'] as const)('hostile input (%s)', (mode) => {
  let platform: RunningPlatform;
  let sessionHeaders: Record<string, string>;
  let tools: string[];
  let sent = 0;
  let baseline: { fds: number; heapMB: number };

  beforeAll(async () => {
    platform = await startPlatform({ sessions: { mode }, mcp: { defaultToolTimeoutMs: 2000 } });
    // Before any request: no connection is open yet, on either side (both run in this process).
    collectGarbage();
    baseline = { fds: ownDescriptors(), heapMB: process.memoryUsage().heapUsed / 2 ** 20 };
    sessionHeaders = {};
    if (mode === 'stateful') {
      const init = await fetch(platform.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MCP_ACCEPT },
        body: JSON.stringify(INITIALIZE),
      });
      sessionHeaders = { 'mcp-session-id': init.headers.get('mcp-session-id')! };
      await init.text();
    }
    const listed = await fetch(`${platform.baseUrl}/tools`);
    tools = ((await listed.json()) as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name).filter((name) => !SLOW_TOOLS.has(name));
  });

  afterAll(async () => {
    await platform?.close();
  });

  async function send(body: string, headers: Record<string, string> = {}, path = '/mcp', method = 'POST'): Promise<void> {
    sent += 1;
    const response = await fetch(`${platform.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...sessionHeaders, ...headers },
      ...(method === 'POST' && { body }),
      signal: AbortSignal.timeout(8000),
    });
    const text = method === 'GET' && response.status === 200 ? '' : await response.text();
    if (method === 'GET' && response.status === 200) await response.body?.cancel();
    if (!ANSWERS.has(response.status)) throw new Error(`${response.status} for ${body.slice(0, 200)}: ${text.slice(0, 300)}`);
    if (STACK_FRAME.test(text)) throw new Error(`a stack trace for ${body.slice(0, 200)}: ${text.slice(0, 300)}`);
  }

  it('answers broken and truncated JSON', async () => {
    const valid = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.nat({ max: valid.length }).map((cut) => valid.slice(0, cut)),
        ),
        (text) => send(text),
      ),
      { numRuns: 150 },
    );
  });

  it('answers JSON-RPC shapes with wrong types, single and batched', async () => {
    await fc.assert(
      fc.asyncProperty(messageArb, (message) => send(JSON.stringify(message))),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 20 }), (batch) => send(JSON.stringify(batch))),
      { numRuns: 100 },
    );
  });

  it('answers every tool called with arguments of any type, with the call’s id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...tools), fc.jsonValue(), fc.integer({ min: 1, max: 1_000_000 }), async (name, args, id) => {
        await send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }));
      }),
      { numRuns: 300 },
    );
  });

  it('answers malformed protocol headers on every verb', async () => {
    const headerArb = fc.record(
      {
        'mcp-session-id': headerValue,
        'mcp-protocol-version': headerValue,
        'last-event-id': headerValue,
        'x-tenant-id': headerValue,
        authorization: headerValue,
        accept: headerValue,
        'content-type': headerValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        headerArb,
        fc.constantFrom('POST', 'GET', 'DELETE'),
        fc.constantFrom('/mcp', '/tenants/acme/mcp', '/messages?sessionId=x', '/tools'),
        (headers, method, path) => send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), headers, path, method),
      ),
      { numRuns: 150 },
    );
  });

  it('still serves afterwards, with nothing left in flight', async () => {
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect((await fetch(`${platform.baseUrl}/health/live`)).status).toBe(200);
    const shutdown = platform.app.get(GracefulShutdown);
    await waitFor(() => shutdown.inFlight === 0, 10_000, 'in-flight requests to drain');
    expect(await metricSum(platform.baseUrl, 'mcp_active_requests')).toBe(0);
  });

  it('gives back its connections and memory once idle', async () => {
    // Idle keep-alive connections close after the server's keepAliveTimeout (5 s).
    await waitFor(() => ownDescriptors() <= baseline.fds + FD_SLACK, 15_000, `descriptors back to ${baseline.fds} + ${FD_SLACK}`);
    collectGarbage();
    expect(process.memoryUsage().heapUsed / 2 ** 20 - baseline.heapMB).toBeLessThan(HEAP_GROWTH_MB);
  }, 20_000);
});
