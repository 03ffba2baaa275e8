import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/auth/api-key.generator';
import { QuotaToolsModule } from './fixtures/quota-tools.module';
import { INITIALIZE, MCP_ACCEPT, RunningPlatform, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { RedisServer, startRedis } from './helpers/redis';
import { ReplicaSet, startReplicas } from './helpers/replicas';

const MODERN = '2026-07-28';

type Negotiation = { mode: { pin: string } } | { mode: 'auto' } | { mode: 'legacy' };

/** The v2 SDK's client, pinned to 2026-07-28 unless told otherwise. */
async function modernClient(url: string, headers: Record<string, string> = {}, versionNegotiation: Negotiation = { mode: { pin: MODERN } }) {
  const client = new Client(
    { name: 'e2e-v2', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} }, sampling: {}, roots: {} }, versionNegotiation },
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    const message = String((request.params as { message?: unknown }).message);
    const content: Record<string, string> = message.includes('colour') ? { color: 'teal' } : { name: 'Zed' };
    return { action: 'accept' as const, content };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** One raw 2026-07-28 request: the envelope in `_meta` and the headers the revision requires. */
async function modernPost(url: string, method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const name = typeof params.name === 'string' ? params.name : undefined;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: MCP_ACCEPT,
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(name && { 'mcp-name': name }),
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
        },
      },
    }),
  });
  const text = await response.text();
  const data = text.startsWith('{')
    ? text
    : (
        text
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .pop() ?? 'data: {}'
      ).slice(6);
  return {
    status: response.status,
    body: JSON.parse(data) as { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } },
  };
}

/** Opens a `subscriptions/listen` stream for tool list changes; the messages it hears are pushed to the array returned. */
async function listen(url: string, signal: AbortSignal): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(url, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, 'mcp-protocol-version': MODERN, 'mcp-method': 'subscriptions/listen' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'listen-1',
      method: 'subscriptions/listen',
      params: {
        notifications: { toolsListChanged: true },
        _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} },
      },
    }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const heard: Array<Record<string, unknown>> = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('');
        buffer = buffer.slice(end + 2);
        if (data) heard.push(JSON.parse(data) as Record<string, unknown>);
      }
    }
  })();
  return heard;
}

describe('MCP 2026-07-28 beside 2025-11-25 on one endpoint', () => {
  const admin = generateApiKey();
  const narrow = generateApiKey();
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform(
      {
        toolPacks: { conformance: true },
        auth: {
          apiKeys: [
            { id: 'admin', hash: admin.hash, permissions: ['*'] },
            { id: 'narrow', hash: narrow.hash, permissions: ['calculator:*', 'quota-tools:*', 'quotaTools:*'] },
          ],
        },
      },
      [QuotaToolsModule],
    );
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('serves a pinned v2 client and a v1 client on the same URL at the same time', async () => {
    const modern = await modernClient(platform.mcpUrl, { 'x-api-key': admin.key });
    const legacy = new ClientV1({ name: 'e2e-v1', version: '1.0.0' });
    await legacy.connect(new TransportV1(new URL(platform.mcpUrl), { requestInit: { headers: { 'x-api-key': admin.key } } }));
    try {
      expect(modern.getProtocolEra()).toBe('modern');
      expect(modern.getDiscoverResult()?.supportedVersions).toEqual([MODERN]);
      const [modernResult, legacyResult] = await Promise.all([
        modern.callTool({ name: 'add', arguments: { a: 2, b: 3 } }),
        legacy.callTool({ name: 'add', arguments: { a: 4, b: 5 } }),
      ]);
      expect(modernResult.structuredContent).toEqual({ result: 5 });
      expect(legacyResult.structuredContent).toEqual({ result: 9 });
      expect(legacy.getServerVersion()?.name).toBe('mcp-platform');
    } finally {
      await modern.close();
      await legacy.close();
    }
  });

  it('lets an auto-negotiating v2 client find 2026-07-28 and a v2 client in legacy mode (its default) stay on initialize', async () => {
    const auto = await modernClient(platform.mcpUrl, { 'x-api-key': admin.key }, { mode: 'auto' });
    const initializing = await modernClient(platform.mcpUrl, { 'x-api-key': admin.key }, { mode: 'legacy' });
    try {
      expect(auto.getProtocolEra()).toBe('modern');
      expect(initializing.getProtocolEra()).toBe('legacy');
      expect((await initializing.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).structuredContent).toEqual({ result: 2 });
    } finally {
      await auto.close();
      await initializing.close();
    }
  });

  it('serves the tenant path, with the tenant in the tool context', async () => {
    const client = await modernClient(`${platform.baseUrl}/tenants/acme/mcp`, { 'x-api-key': admin.key });
    try {
      const info = await client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text)).toMatchObject({ tenantId: 'acme' });
    } finally {
      await client.close();
    }
  });

  it('runs a tool that asks twice through input_required rounds, with the same ctx.elicit code as for 2025 clients', async () => {
    const client = await modernClient(platform.mcpUrl, { 'x-api-key': admin.key });
    try {
      const result = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'Multi-round complete for Zed, who likes teal' }]);
    } finally {
      await client.close();
    }
  });

  it('refuses a tampered requestState, and one replayed by another principal, with -32602 and never a result', async () => {
    const first = await modernPost(
      platform.mcpUrl,
      'tools/call',
      { name: 'test_input_required_result_request_state', arguments: {} },
      { 'x-api-key': admin.key },
    );
    expect(first.body.result).toMatchObject({ resultType: 'input_required', inputRequests: { confirm: { method: 'elicitation/create' } } });
    const state = first.body.result!.requestState as string;
    const retry = (requestState: string, key: string) =>
      modernPost(
        platform.mcpUrl,
        'tools/call',
        {
          name: 'test_input_required_result_request_state',
          arguments: {},
          requestState,
          inputResponses: { confirm: { action: 'accept', content: { ok: true } } },
        },
        { 'x-api-key': key },
      );

    const honest = await retry(state, admin.key);
    expect(honest.body.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Confirmed: true' }] });

    const flipped = state.slice(0, -2) + (state.endsWith('A') ? 'B' : 'A') + state.slice(-1);
    const tampered = await retry(flipped, admin.key);
    expect(tampered.body.result).toBeUndefined();
    expect(tampered.body.error).toMatchObject({ code: -32602, data: { reason: 'integrity' } });

    const stolen = await retry(state, narrow.key);
    expect(stolen.body.result).toBeUndefined();
    expect(stolen.body.error?.code).toBe(-32602);
  });

  it('applies the same permissions and per-tool limits as on the 2025 leg', async () => {
    const client = await modernClient(platform.mcpUrl, { 'x-api-key': narrow.key });
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('add');
      expect(names).not.toContain('test_simple_text');
      await expect(client.callTool({ name: 'test_simple_text', arguments: {} })).rejects.toMatchObject({ code: -32003 });
      await client.callTool({ name: 'fixture_quota', arguments: {} });
      await client.callTool({ name: 'fixture_quota', arguments: {} });
      await expect(client.callTool({ name: 'fixture_quota', arguments: {} })).rejects.toMatchObject({ code: -32004 });
    } finally {
      await client.close();
    }
  });

  it('streams progress on the request’s own response', async () => {
    const client = await modernClient(platform.mcpUrl, { 'x-api-key': admin.key });
    try {
      const progress: number[] = [];
      await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, { onprogress: (update) => progress.push(update.progress) });
      expect(progress).toEqual([0, 50, 100]);
    } finally {
      await client.close();
    }
  });
});

describe.each(['legacy', 'modern'] as const)('protocol: %s', (protocol) => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ mcp: { protocol } });
  });

  afterAll(async () => {
    await platform?.close();
  });

  it(
    protocol === 'legacy' ? 'answers 2026-07-28 requests as before (400), initialize as always' : 'refuses initialize with -32022 and serves 2026-07-28',
    async () => {
      const modern = await modernPost(platform.mcpUrl, 'tools/call', { name: 'add', arguments: { a: 1, b: 2 } });
      const init = await fetch(platform.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MCP_ACCEPT },
        body: JSON.stringify(INITIALIZE),
      });
      const initBody = (await init.json()) as { result?: unknown; error?: { code: number } };
      if (protocol === 'legacy') {
        expect(modern.status).toBe(400);
        expect(init.status).toBe(200);
        expect(initBody.result).toBeDefined();
      } else {
        expect(modern.body.result).toMatchObject({ structuredContent: { result: 3 } });
        expect(init.status).toBe(400);
        expect(initBody.error?.code).toBe(-32022);
      }
    },
  );
});

describe('a multi-round call whose rounds land on different replicas', () => {
  let redis: RedisServer;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'mcp-2026-'));
    writeFileSync(join(dir, 'config.yaml'), 'toolPacks:\n  conformance: true\n');
  }, 30_000);

  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function roundsAcross(fleet: ReplicaSet): Promise<void> {
    const [a, b] = fleet.replicas.map((replica) => `${replica.baseUrl}/mcp`);
    const first = await modernPost(a, 'tools/call', { name: 'test_input_required_result_elicitation', arguments: {} });
    expect(first.body.result).toMatchObject({ resultType: 'input_required' });
    const second = await modernPost(b, 'tools/call', {
      name: 'test_input_required_result_elicitation',
      arguments: {},
      requestState: first.body.result!.requestState,
      inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } },
    });
    expect(second.body.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Hello, Ada!' }] });
  }

  it('finishes on another replica with keys from MCP_STATE_KEYS (no shared state)', async () => {
    const keys = 'first-key-0123456789abcdef,older-key-0123456789abcdef';
    const fleet = await startReplicas(2, {
      MCP_CONFIG: join(dir, 'config.yaml'),
      MCP_ALLOW_ANONYMOUS: 'true',
      MCP_SESSION_MODE: 'stateless',
      MCP_STATE_KEYS: keys,
    });
    try {
      await roundsAcross(fleet);
    } finally {
      await fleet.stopAll();
    }
  }, 60_000);

  it('finishes on another replica with a key the replicas share through Redis; a listen stream on one hears a change made on the other', async () => {
    const fleet = await startReplicas(2, { MCP_CONFIG: join(dir, 'config.yaml'), MCP_ALLOW_ANONYMOUS: 'true', REDIS_URL: redis.url });
    const controller = new AbortController();
    try {
      await roundsAcross(fleet);

      const [a, b] = fleet.replicas.map((replica) => `${replica.baseUrl}/mcp`);
      const heard = await listen(a, controller.signal);
      await waitFor(() => heard.some((message) => message.method === 'notifications/subscriptions/acknowledged'), 10_000, 'the listen acknowledgement');
      const trigger = await modernPost(b, 'tools/call', { name: 'test_trigger_tool_change', arguments: {} });
      expect(trigger.body.result).toMatchObject({ resultType: 'complete' });
      await waitFor(() => heard.some((message) => message.method === 'notifications/tools/list_changed'), 10_000, 'the change made on replica b');
    } finally {
      controller.abort();
      await fleet.stopAll();
    }
  }, 60_000);
});
