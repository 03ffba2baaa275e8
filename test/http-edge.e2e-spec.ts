import { INITIALIZE, MCP_ACCEPT, jsonOf, RunningPlatform, postRaw, readMessages, startPlatform } from './helpers/platform';

/** What bad input gets (CONTRACT.md), answered over raw HTTP where no SDK client would go. */
describe.each(['express', 'fastify'] as const)('the HTTP edge (%s)', (adapter) => {
  let platform: RunningPlatform;
  let sessionId: string;

  beforeAll(async () => {
    platform = await startPlatform({ http: { bodyLimitBytes: 4096, adapter } });
    const response = await postRaw(platform.mcpUrl, INITIALIZE);
    sessionId = response.headers.get('mcp-session-id')!;
    await response.text();
  });

  afterAll(async () => {
    await platform?.close();
  });

  const call = (body: unknown, headers: Record<string, string> = {}) => postRaw(platform.mcpUrl, body, { 'mcp-session-id': sessionId, ...headers });

  it('answers a body that is not JSON with 400 and -32700', async () => {
    const response = await call('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.any(String) } });
  });

  it.each([
    ['an object without jsonrpc', { id: 1, method: 'tools/list' }],
    ['a number', 42],
    ['an empty batch', []],
    ['a method that is not a string', { jsonrpc: '2.0', id: 1, method: 7 }],
  ])('answers %s with 400 and -32600', async (_name, body) => {
    const response = await call(body);
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe(-32600);
  });

  it('answers an unknown method with -32601', async () => {
    const response = await call({ jsonrpc: '2.0', id: 5, method: 'no/such/method' });
    const [message] = await readMessages(response);
    expect(message).toMatchObject({ id: 5, error: { code: -32601 } });
  });

  it('answers tools/call params that are not a tools/call request with -32602', async () => {
    const response = await call({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { arguments: {} } });
    const [message] = await readMessages(response);
    expect(message).toMatchObject({ id: 6, error: { code: -32602 } });
  });

  it('answers a body over the limit with 413', async () => {
    const response = await call({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(10_000) } } });
    expect(response.status).toBe(413);
    expect((await jsonOf(response)).error.code).toBe(-32000);
  });

  it('answers a wrong Accept with 406 and a wrong Content-Type with 415, as the SDK does', async () => {
    const notAcceptable = await call({ jsonrpc: '2.0', id: 8, method: 'tools/list' }, { accept: 'text/html' });
    expect(notAcceptable.status).toBe(406);
    const unsupported = await call('jsonrpc=2.0', { 'content-type': 'text/plain' });
    expect(unsupported.status).toBe(415);
  });

  it('opens no session for an initialize it refuses with 406', async () => {
    const before = (await jsonOf<{ activeSessions: number }>(await fetch(`${platform.baseUrl}/health`))).activeSessions;
    const refused = await postRaw(platform.mcpUrl, INITIALIZE, { accept: 'application/json' });
    expect(refused.status).toBe(406);
    expect(refused.headers.get('mcp-session-id')).toBeNull();
    await refused.text();
    const after = (await jsonOf<{ activeSessions: number }>(await fetch(`${platform.baseUrl}/health`))).activeSessions;
    expect(after).toBe(before);
  });

  it('refuses a foreign Host with 403 (DNS-rebinding protection) and accepts its own', async () => {
    const { request } = await import('node:http');
    const status = (host: string, origin?: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(platform.mcpUrl);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: '/mcp',
            method: 'POST',
            headers: { host, ...(origin && { origin }), 'content-type': 'application/json', accept: MCP_ACCEPT },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(INITIALIZE));
      });
    const port = new URL(platform.mcpUrl).port;
    expect(await status('evil.example.com')).toBe(403);
    expect(await status(`localhost:${port}`, 'http://evil.example.com')).toBe(403);
    expect(await status(`localhost:${port}`, `http://localhost:${port}`)).toBe(200);
  });

  it('asks for a session id on non-initialize requests in stateful mode', async () => {
    const response = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: 9, method: 'tools/list' });
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.message).toContain('Mcp-Session-Id');
  });

  it('refuses initialize inside a batch', async () => {
    const response = await postRaw(platform.mcpUrl, [INITIALIZE, { jsonrpc: '2.0', id: 2, method: 'tools/list' }]);
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe(-32600);
  });

  it('answers a batch with one response per request', async () => {
    const response = await call([
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } },
    ]);
    const messages = await readMessages(response);
    expect(messages.map((message) => message.id).sort()).toEqual(['a', 'b']);
  });

  it('answers notifications with 202', async () => {
    const response = await call({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(response.status).toBe(202);
  });

  it('returns the X-Request-Id it was given, and makes one otherwise', async () => {
    const given = await call({ jsonrpc: '2.0', id: 10, method: 'ping' }, { 'x-request-id': 'req-abc-123' });
    expect(given.headers.get('x-request-id')).toBe('req-abc-123');
    await given.text();
    const made = await call({ jsonrpc: '2.0', id: 11, method: 'ping' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await made.text();
    const bad = await call({ jsonrpc: '2.0', id: 12, method: 'ping' }, { 'x-request-id': 'has spaces and {braces}' });
    expect(bad.headers.get('x-request-id')).not.toBe('has spaces and {braces}');
    await bad.text();
  });

  it('refuses a second standalone GET stream for one session with 409', async () => {
    const controller = new AbortController();
    const first = await fetch(platform.mcpUrl, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
      signal: controller.signal,
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const second = await fetch(platform.mcpUrl, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId } });
    expect(second.status).toBe(409);
    await second.text();
    controller.abort();
  });

  it('refuses an invalid tenant id in the path with 400', async () => {
    const response = await postRaw(`${platform.baseUrl}/tenants/bad%20tenant!/mcp`, INITIALIZE);
    expect(response.status).toBe(400);
  });

  it('never answers with a stack trace', async () => {
    const response = await call('{{{{');
    expect(await response.text()).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
});

describe.each(['express', 'fastify'] as const)('the HTTP edge in stateless mode (%s)', (adapter) => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ sessions: { mode: 'stateless' }, http: { adapter } });
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('serves tools/call without initialize, as plain JSON-RPC over HTTP (seed 002)', async () => {
    const response = await postRaw(platform.mcpUrl, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'Hello!' } },
    });
    expect(response.status).toBe(200);
    const [message] = await readMessages(response);
    expect(message).toMatchObject({ id: 1, result: { content: [{ type: 'text', text: 'Hello!' }] } });
  });

  it('passes a gateway-given Mcp-Session-Id through to tools without keeping state (seed 000)', async () => {
    const response = await postRaw(
      platform.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'authContext', arguments: {} } },
      { 'mcp-session-id': 'gateway-session-1' },
    );
    const [message] = await readMessages(response);
    expect(JSON.stringify(message)).toContain('Session ID: gateway-session-1');
  });

  it('answers GET and DELETE with 405', async () => {
    const get = await fetch(platform.mcpUrl, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await fetch(platform.mcpUrl, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });
});

describe.each(['express', 'fastify'] as const)('tool introspection (%s)', (adapter) => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ http: { adapter } });
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('lists tools with their schemas and permissions at GET /tools', async () => {
    const response = await fetch(`${platform.baseUrl}/tools`);
    expect(response.status).toBe(200);
    const { tools } = await jsonOf<{ tools: Array<{ name: string }> }>(response);
    expect(tools.find((tool: { name: string }) => tool.name === 'divide')).toMatchObject({
      pack: 'calculator',
      permissions: ['calculator:divide'],
      inputSchema: { type: 'object' },
    });
  });

  it('describes one tool at GET /tools/{name} and answers 404 for an unknown one', async () => {
    const one = await fetch(`${platform.baseUrl}/tools/generate_numbers`);
    expect(await jsonOf<object>(one)).toMatchObject({ name: 'generate_numbers', pack: 'examples', timeoutMs: 120000 });
    const missing = await fetch(`${platform.baseUrl}/tools/nope`);
    expect(missing.status).toBe(404);
  });
});
