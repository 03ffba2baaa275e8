import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { INITIALIZE, MCP_ACCEPT, jsonOf, postRaw } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { readEvents, textOf } from './helpers/sse';
import { RedisServer, startRedis } from './helpers/redis';
import { ReplicaSet, roundRobinFetch, startReplicas } from './helpers/replicas';

describe('three replicas sharing one Redis (no stickiness)', () => {
  let redis: RedisServer;
  let set: ReplicaSet;

  beforeAll(async () => {
    redis = await startRedis();
    set = await startReplicas(3, { REDIS_URL: redis.url, MCP_CONFIG: `${__dirname}/fixtures/replicas.yaml` });
  }, 60_000);

  afterAll(async () => {
    await set?.stopAll();
    await redis?.stop();
  });

  function rotatingClient(capabilities: Record<string, unknown> = {}) {
    const served: Array<{ nodeId: string; method: string }> = [];
    const client = new Client({ name: 'rotating', version: '1.0.0' }, { capabilities });
    const transport = new StreamableHTTPClientTransport(new URL(`${set.live()[0].baseUrl}/mcp`), { fetch: roundRobinFetch(set, served) });
    return { client, transport, served };
  }

  it('serves one session from every replica: initialize on one, calls and progress on the others', async () => {
    const { client, transport, served } = rotatingClient();
    await client.connect(transport);
    try {
      for (let call = 0; call < 6; call += 1) {
        const result = await client.callTool({ name: 'add', arguments: { a: call, b: 1 } });
        expect(result.structuredContent).toEqual({ result: call + 1 });
      }
      const progress: number[] = [];
      await client.callTool({ name: 'generate_numbers', arguments: { count: 3, delayMs: 20 } }, undefined, {
        onprogress: (update) => progress.push(update.progress),
      });
      expect(progress).toEqual([1, 2, 3]);
      expect(new Set(served.map((entry) => entry.nodeId))).toEqual(new Set(['replica-a', 'replica-b', 'replica-c']));
    } finally {
      await client.close();
    }
  });

  it('carries an elicitation answer that lands on another replica back to the waiting one', async () => {
    const { client, transport, served } = rotatingClient({ elicitation: {} });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { username: 'grace', email: 'g@example.com' } }));
    await client.connect(transport);
    try {
      const before = served.length;
      const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
      expect(textOf(result)).toContain('"username":"grace"');
      // The call and the answer were two POSTs, sent to different replicas.
      const posts = served.slice(before).filter((entry) => entry.method === 'POST');
      expect(posts.length).toBeGreaterThanOrEqual(2);
      expect(posts[0].nodeId).not.toBe(posts[1].nodeId);
    } finally {
      await client.close();
    }
  });

  it('delivers resources/updated to the replica holding the standalone stream', async () => {
    const { client, transport } = rotatingClient();
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updates.push(notification.params.uri);
    });
    await client.connect(transport);
    try {
      await client.subscribeResource({ uri: 'examples://counter' });
      // The GET stream opens asynchronously after initialize; keep nudging until it is there.
      await waitFor(
        async () => {
          await client.callTool({ name: 'increment_counter', arguments: {} });
          await new Promise((resolve) => setTimeout(resolve, 100));
          return updates.length > 0;
        },
        10_000,
        'resources/updated',
      );
      expect(updates[0]).toBe('examples://counter');
    } finally {
      await client.close();
    }
  });

  it('resumes an interrupted stream on another replica with Last-Event-ID', async () => {
    const [a, b] = set.live();
    const init = await postRaw(`${a.baseUrl}/mcp`, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: '2025-11-25' } });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    const controller = new AbortController();
    const response = await fetch(`${a.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'generate_numbers', arguments: { count: 5, delayMs: 100 }, _meta: { progressToken: 't' } },
      }),
      signal: controller.signal,
    });
    const first = await readEvents(response, (events) => events.filter((event) => event.data?.includes('progress')).length >= 2);
    controller.abort();
    const lastEventId = [...first].reverse().find((event) => event.id)!.id!;

    const resumed = await fetch(`${b.baseUrl}/mcp`, { headers: { accept: 'text/event-stream', 'last-event-id': lastEventId, ...headers } });
    expect(resumed.status).toBe(200);
    const rest = (await readEvents(resumed, () => false)).filter((event) => event.data).map((event) => JSON.parse(event.data!));
    const before = first.filter((event) => event.data).map((event) => JSON.parse(event.data!));
    const progressOf = (messages: Array<{ method?: string; params?: { progress?: number } }>) =>
      messages.filter((message) => message.method === 'notifications/progress').map((message) => message.params?.progress);
    // Nothing lost, nothing twice: what came before the cut and after the resume make 1..5.
    expect([...progressOf(before), ...progressOf(rest)]).toEqual([1, 2, 3, 4, 5]);
    expect(progressOf(rest).length).toBeGreaterThan(0);
    expect(rest.find((message) => message.id === 1)?.result).toBeDefined();
  });

  it('ends a session for every replica with DELETE', async () => {
    const { client, transport } = rotatingClient();
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await client.close();
    for (const replica of set.live()) {
      const response = await postRaw(`${replica.baseUrl}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': sessionId });
      expect(response.status).toBe(404);
      await response.text();
    }
  });

  it('carries a legacy SSE message POSTed to another replica to the stream holder', async () => {
    const [a, b] = set.live();
    const served: Array<{ nodeId: string; method: string }> = [];
    // The stream goes to replica a; POST /messages rotates over all.
    const client = new Client({ name: 'legacy', version: '1.0.0' });
    const transport = new SSEClientTransport(new URL(`${a.baseUrl}/sse`), { fetch: roundRobinFetch(set, served) });
    await client.connect(transport);
    try {
      for (let call = 0; call < 4; call += 1) {
        const result = await client.callTool({ name: 'add', arguments: { a: 1, b: call } });
        expect(result.structuredContent).toEqual({ result: 1 + call });
      }
      expect(new Set(served.filter((entry) => entry.method === 'POST').map((entry) => entry.nodeId)).size).toBeGreaterThan(1);
      expect(b).toBeDefined();
    } finally {
      await client.close();
    }
  });
});

describe('a replica killed mid-session', () => {
  let redis: RedisServer;
  let set: ReplicaSet;

  beforeAll(async () => {
    redis = await startRedis();
    set = await startReplicas(3, { REDIS_URL: redis.url });
  }, 60_000);

  afterAll(async () => {
    await set?.stopAll();
    await redis?.stop();
  });

  it('loses no session: the client’s next requests succeed on the others', async () => {
    const client = new Client({ name: 'survivor', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${set.replicas[0].baseUrl}/mcp`), { fetch: roundRobinFetch(set) });
    await client.connect(transport);
    try {
      expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).structuredContent).toEqual({ result: 2 });
      await set.kill(set.replicas[0]);
      for (let call = 0; call < 4; call += 1) {
        expect((await client.callTool({ name: 'multiply', arguments: { a: call, b: 2 } })).structuredContent).toEqual({ result: call * 2 });
      }
    } finally {
      await client.close();
    }
  });

  it('answers 410 for a legacy stream whose replica died, so the client reconnects', async () => {
    const holder = set.live()[0];
    const other = set.live()[1];
    const controller = new AbortController();
    const stream = await fetch(`${holder.baseUrl}/sse`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const [endpoint] = await readEvents(stream, (events) => events.length > 0);
    await set.kill(holder);
    controller.abort();
    const response = await postRaw(new URL(endpoint.data!, other.baseUrl).toString(), { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(response.status).toBe(410);
    expect((await jsonOf(response)).error.message).toContain('reconnect');
  });
});

describe('sessions expire after MCP_SESSION_TTL_SECONDS of idleness', () => {
  let redis: RedisServer;
  let set: ReplicaSet;

  beforeAll(async () => {
    redis = await startRedis();
    set = await startReplicas(2, { REDIS_URL: redis.url, MCP_SESSION_TTL_SECONDS: '2' });
  }, 60_000);

  afterAll(async () => {
    await set?.stopAll();
    await redis?.stop();
  });

  it('answers 404 on every replica once the TTL has passed', async () => {
    const init = await postRaw(`${set.replicas[0].baseUrl}/mcp`, INITIALIZE);
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    // Any request would slide the TTL, so the session is left alone until Redis expires it.
    const probe = new Redis(redis.url);
    try {
      await waitFor(async () => (await probe.exists(`mcp:{${sessionId}}:session`)) === 0, 10_000, 'the session to expire in Redis');
    } finally {
      probe.disconnect();
    }
    for (const replica of set.replicas) {
      const response = await postRaw(`${replica.baseUrl}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': sessionId });
      expect(response.status).toBe(404);
      await response.text();
    }
  }, 15_000);

  it('keeps a session that is used within its TTL', async () => {
    const init = await postRaw(`${set.replicas[0].baseUrl}/mcp`, INITIALIZE);
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    for (let use = 0; use < 4; use += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const response = await postRaw(`${set.replicas[use % 2].baseUrl}/mcp`, { jsonrpc: '2.0', id: use, method: 'ping' }, { 'mcp-session-id': sessionId });
      expect(response.status).toBe(200);
      await response.text();
    }
  }, 15_000);
});
