import { generateApiKey } from '../src/auth/api-key.generator';
import { McpPorts } from '../src/mcp/mcp.ports';
import { McpRequestRouter } from '../src/mcp/edges/streamable-http/mcp-request.router';
import { FixtureTools, FixtureToolsModule } from './fixtures/fixture-tools.module';
import { INITIALIZE, MCP_ACCEPT, RunningPlatform, connectClient, postRaw, readMessages, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { readEvents } from './helpers/sse';
import { RedisServer, startRedis } from './helpers/redis';

const cancel = (requestId: string | number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'hostile' } });
const waitCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'fixture_wait_for_cancel', arguments: {} } });

/** Defects a security review found, each with the test that failed before its fix. */
describe('security regressions', () => {
  describe('cancellation in stateless mode reaches the sender’s own requests only', () => {
    let platform: RunningPlatform;

    beforeAll(async () => {
      platform = await startPlatform({ sessions: { mode: 'stateless' } }, [FixtureToolsModule]);
    });

    afterAll(async () => {
      await platform?.close();
    });

    it('ignores another tenant’s cancellations, whatever ids it guesses, and honours the caller’s own', async () => {
      FixtureTools.waiting = false;
      FixtureTools.cancelled = false;
      const victim = postRaw(`${platform.baseUrl}/tenants/acme/mcp`, waitCall(1), {}).then((response) => readMessages(response));
      await waitFor(() => FixtureTools.waiting, 5000, 'the victim’s call to start');

      // Single notifications and a batch, with the client's id and the guessable internal ones.
      for (let id = 0; id <= 20; id += 1) {
        const response = await postRaw(`${platform.baseUrl}/tenants/evil/mcp`, cancel(id));
        expect(response.status).toBe(202);
      }
      const batch = await postRaw(`${platform.baseUrl}/tenants/evil/mcp`, [cancel(1), cancel('1'), cancel(2)]);
      expect(batch.status).toBe(202);
      // Give a wrongly routed cancellation every chance to land.
      await new Promise((resolve) => setImmediate(resolve));
      expect(FixtureTools.cancelled).toBe(false);

      await postRaw(`${platform.baseUrl}/tenants/acme/mcp`, cancel(1));
      await waitFor(() => FixtureTools.cancelled, 5000, 'the owner’s cancellation');
      await victim.catch(() => undefined);
    });
  });

  describe.each(['stateful', 'stateless'] as const)('odd bodies get an answer (%s)', (mode) => {
    let platform: RunningPlatform;
    let headers: Record<string, string>;

    beforeAll(async () => {
      platform = await startPlatform({ sessions: { mode } });
      headers = {};
      if (mode === 'stateful') {
        const init = await postRaw(platform.mcpUrl, INITIALIZE);
        headers = { 'mcp-session-id': init.headers.get('mcp-session-id')! };
        await init.text();
      }
    });

    afterAll(async () => {
      await platform?.close();
    });

    /** The body as text, so `__proto__` stays a key, answered within 5 s or the test fails. */
    async function send(text: string): Promise<{ status: number; messages: Array<Record<string, unknown>> }> {
      const response = await fetch(platform.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers },
        body: text,
        signal: AbortSignal.timeout(5000),
      });
      return { status: response.status, messages: await readMessages(response) };
    }

    it.each([
      ['a __proto__ key', '{"jsonrpc":"2.0","id":1,"method":"tools/list","__proto__":{"x":1}}', 'answered'],
      ['a __proto__ key in params', '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"__proto__":{"x":1}}}', 'answered'],
      ['an unknown member', '{"jsonrpc":"2.0","id":1,"method":"ping","extra":true}', 'answered'],
      ['params: []', '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":[]}', 'refused'],
      ['method together with result', '{"jsonrpc":"2.0","id":1,"method":"tools/list","result":{}}', 'refused'],
      ['params._meta: []', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":[]}}', 'refused'],
      [
        'an object as progressToken',
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},"_meta":{"progressToken":{"a":1}}}}',
        'refused',
      ],
      ['a params member of the wrong type', '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"task":"soon","cursor":7}}', 'answered-or-error'],
    ])('%s', async (_name, text, expected) => {
      const { status, messages } = await send(text);
      const [answer] = messages;
      expect(answer.id).toBe(1);
      if (expected === 'answered') {
        expect(status).toBe(200);
        expect(answer.result).toBeDefined();
      } else if (expected === 'refused') {
        expect(status).toBe(400);
        expect(answer.error).toMatchObject({ code: -32600 });
      } else {
        // Whatever the SDK makes of it, the request is answered, with its id.
        expect(answer.result ?? answer.error).toBeDefined();
      }
    });

    it('an object as id is refused with id null', async () => {
      const { status, messages } = await send('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}');
      expect(status).toBe(400);
      expect(messages[0]).toMatchObject({ id: null, error: { code: -32600 } });
    });

    it('still serves afterwards', async () => {
      const { messages } = await send('{"jsonrpc":"2.0","id":9,"method":"ping"}');
      expect(messages[0]).toMatchObject({ id: 9, result: {} });
    });
  });

  describe('bounded client-chosen state', () => {
    let platform: RunningPlatform;

    beforeAll(async () => {
      platform = await startPlatform({ mcp: { maxBatchSize: 10, maxClientStateBytes: 4096 } });
    });

    afterAll(async () => {
      await platform?.close();
    });

    it('refuses a batch over the limit whole, before running any of it', async () => {
      const init = await postRaw(platform.mcpUrl, INITIALIZE);
      const sessionId = init.headers.get('mcp-session-id')!;
      await init.text();
      const batch = Array.from({ length: 11 }, (_, index) => ({ jsonrpc: '2.0', id: index, method: 'ping' }));
      const response = await postRaw(platform.mcpUrl, batch, { 'mcp-session-id': sessionId });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: number; message: string } }).error).toMatchObject({
        code: -32600,
        message: expect.stringContaining('over the limit of 10'),
      });
      const within = await postRaw(platform.mcpUrl, batch.slice(0, 10), { 'mcp-session-id': sessionId });
      expect(await readMessages(within)).toHaveLength(10);
    });

    it('refuses deeply nested JSON with -32600 instead of a 500 (stateful and the legacy transport)', async () => {
      const deep = (depth: number) =>
        `{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-11-25","clientInfo":{"name":"x","version":"1"},"capabilities":{"experimental":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}}`;
      for (const url of [platform.mcpUrl, `${platform.baseUrl}/messages?sessionId=none`]) {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: MCP_ACCEPT }, body: deep(5000) });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: { code: -32600, message: expect.stringContaining('nested deeper than 64') } });
      }
      const shallow = await fetch(platform.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MCP_ACCEPT },
        body: deep(20),
      });
      expect(shallow.status).toBe(200);
      await shallow.text();
    });

    it('refuses an initialize whose capabilities are over the limit, with its id, and stores no session', async () => {
      const store = platform.app.get(McpPorts).sessions;
      const before = await store.count();
      const huge = { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { experimental: { big: { blob: 'x'.repeat(8192) } } } } };
      const response = await postRaw(platform.mcpUrl, huge);
      expect(response.status).toBe(400);
      expect(response.headers.get('mcp-session-id')).toBeNull();
      expect(await response.json()).toMatchObject({
        id: INITIALIZE.id,
        error: { code: -32602, message: expect.stringContaining('over the limit of 4096') },
      });
      expect(await store.count()).toBe(before);
    });
  });

  describe('live sessions per credential and per tenant', () => {
    const key = generateApiKey();
    let platform: RunningPlatform;

    beforeAll(async () => {
      platform = await startPlatform({
        sessions: { maxPerPrincipal: 2, maxPerTenant: 3 },
        auth: { apiKeys: [{ id: 'capped', hash: key.hash, permissions: ['*'] }] },
      });
    });

    afterAll(async () => {
      await platform?.close();
    });

    async function open(path = '/mcp'): Promise<Response> {
      return postRaw(`${platform.baseUrl}${path}`, INITIALIZE, { 'x-api-key': key.key });
    }

    it('refuses a credential’s session past its cap with 429 and stores nothing; a DELETE makes room', async () => {
      const first = await open();
      const sessionId = first.headers.get('mcp-session-id')!;
      await first.text();
      await (await open()).text();
      const store = platform.app.get(McpPorts).sessions;
      const before = await store.count();

      const refused = await open();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(await refused.json()).toMatchObject({ id: INITIALIZE.id, error: { code: -32000, message: expect.stringContaining('credential capped') } });
      expect(await store.count()).toBe(before);

      const ended = await fetch(platform.mcpUrl, { method: 'DELETE', headers: { 'x-api-key': key.key, 'mcp-session-id': sessionId } });
      expect(ended.status).toBe(200);
      const again = await open();
      expect(again.status).toBe(200);
      await again.text();
    });
  });

  describe.each(['memory', 'redis'] as const)('a batch counts its calls against the rate limit (%s counters)', (counters) => {
    const keys = [generateApiKey(), generateApiKey()];
    let redis: RedisServer | undefined;
    let platform: RunningPlatform;
    const pings = (count: number, from = 0) => Array.from({ length: count }, (_, index) => ({ jsonrpc: '2.0', id: from + index, method: 'ping' }));
    const send = (key: number, body: unknown) => postRaw(platform.mcpUrl, body, { 'x-api-key': keys[key].key });

    beforeAll(async () => {
      if (counters === 'redis') redis = await startRedis();
      platform = await startPlatform({
        ...(redis && { redisUrl: redis.url }),
        sessions: { mode: 'stateless' },
        auth: {
          apiKeys: keys.map((key, index) => ({ id: `batcher-${index}`, hash: key.hash, permissions: ['*'], rateLimit: { limit: 10, ttlSeconds: 60 } })),
        },
      });
    }, 30_000);

    afterAll(async () => {
      await platform?.close();
      await redis?.stop();
    });

    it('refuses a batch of more calls than the limit with 429 and runs none of it', async () => {
      const tooMany = await send(0, pings(11));
      expect(tooMany.status).toBe(429);
      expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await tooMany.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringMatching(/too many requests/i) } });
    });

    it('counts an allowed batch as its calls: single requests get what is left', async () => {
      const batch = await send(1, pings(8));
      expect(batch.status).toBe(200);
      expect(batch.headers.get('x-ratelimit-remaining')).toBe('2');
      expect(await readMessages(batch)).toHaveLength(8);
      for (const id of [100, 101]) {
        const single = await send(1, pings(1, id)[0]);
        expect(single.status).toBe(200);
        await single.text();
      }
      const over = await send(1, pings(1, 102)[0]);
      expect(over.status).toBe(429);
      await over.text();
    });
  });

  describe.each(['stateful', 'stateless'] as const)('requests answered at once keep nothing behind (%s)', (mode) => {
    let platform: RunningPlatform;

    beforeAll(async () => {
      platform = await startPlatform({ sessions: { mode } });
    });

    afterAll(async () => {
      await platform?.close();
    });

    it('an unknown method leaves no cancellation route in memory (it leaked an exchange per request)', async () => {
      const router = platform.app.get(McpRequestRouter);
      let headers: Record<string, string> = {};
      if (mode === 'stateful') {
        const init = await postRaw(platform.mcpUrl, INITIALIZE);
        headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
        await init.text();
      }
      for (let id = 1; id <= 50; id++) {
        const response = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id, method: 'made/up' }, headers);
        expect(((await readMessages(response))[0] as { error?: { code: number } }).error?.code).toBe(-32601);
      }
      expect(router.inboundCount).toBe(0);
    });
  });

  describe('a closed legacy SSE stream', () => {
    let platform: RunningPlatform;

    beforeAll(async () => {
      platform = await startPlatform({});
    });

    afterAll(async () => {
      await platform?.close();
    });

    it('leaves no session in the store: its messages get 404', async () => {
      const store = platform.app.get(McpPorts).sessions;
      const before = await store.count();
      const controller = new AbortController();
      const stream = await fetch(`${platform.baseUrl}/sse`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
      const [endpoint] = await readEvents(stream, (events) => events.length > 0);
      const messagesUrl = new URL(endpoint.data!, platform.baseUrl);
      expect(await store.count()).toBe(before + 1);

      controller.abort();
      await waitFor(async () => (await store.count()) === before, 5_000, 'the closed session to be deleted');
      const late = await postRaw(messagesUrl.toString(), { jsonrpc: '2.0', id: 1, method: 'ping' });
      expect(late.status).toBe(404);
      await late.text();
    });
  });

  describe('a trusted gateway’s tenant and the path', () => {
    const gatewayKey = generateApiKey();
    let platform: RunningPlatform;

    beforeAll(async () => {
      platform = await startPlatform({
        gateway: { trustTenantHeaders: true },
        auth: { apiKeys: [{ id: 'gateway', hash: gatewayKey.hash, permissions: ['*'] }] },
      });
    });

    afterAll(async () => {
      await platform?.close();
    });

    it('refuses a path naming another tenant than the gateway’s X-Tenant-Id (403), even for an unbound credential', async () => {
      const response = await postRaw(
        `${platform.baseUrl}/tenants/globex/mcp`,
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        {
          'x-api-key': gatewayKey.key,
          'x-tenant-id': 'acme',
        },
      );
      expect(response.status).toBe(403);
      await response.text();
    });

    it('binds a session to the gateway’s X-User-Id: another user of the same tenant gets 404', async () => {
      const gateway = { 'x-api-key': gatewayKey.key, 'x-tenant-id': 'acme' };
      const init = await postRaw(platform.mcpUrl, INITIALIZE, { ...gateway, 'x-user-id': 'alice' });
      const sessionId = init.headers.get('mcp-session-id')!;
      await init.text();
      const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };
      const alice = await postRaw(platform.mcpUrl, ping, { ...gateway, 'x-user-id': 'alice', 'mcp-session-id': sessionId });
      expect(alice.status).toBe(200);
      await alice.text();
      const bob = await postRaw(platform.mcpUrl, ping, { ...gateway, 'x-user-id': 'bob', 'mcp-session-id': sessionId });
      expect(bob.status).toBe(404);
      await bob.text();
    });

    it('serves a path that names the gateway’s tenant', async () => {
      const { client } = await connectClient(`${platform.baseUrl}/tenants/acme/mcp`, { headers: { 'x-api-key': gatewayKey.key, 'x-tenant-id': 'acme' } });
      try {
        await expect(client.ping()).resolves.toBeDefined();
      } finally {
        await client.close();
      }
    });
  });

  describe('secrets in diagnostics', () => {
    let platform: RunningPlatform;
    const previous = process.env.MCP_METRICS_KEY;

    beforeAll(async () => {
      process.env.MCP_METRICS_KEY = 'metrics-key-that-must-not-show';
      platform = await startPlatform({ auth: { apiKeys: [] } });
    });

    afterAll(async () => {
      await platform?.close();
      if (previous === undefined) delete process.env.MCP_METRICS_KEY;
      else process.env.MCP_METRICS_KEY = previous;
    });

    it('never shows MCP_METRICS_KEY in the environment dump', async () => {
      const { client } = await connectClient(platform.mcpUrl);
      try {
        const result = await client.callTool({ name: 'environmentDump', arguments: {} });
        const text = (result.content as Array<{ text: string }>)[0].text;
        expect(text).toContain('MCP_METRICS_KEY');
        expect(text).not.toContain('metrics-key-that-must-not-show');
      } finally {
        await client.close();
      }
    });
  });
});
