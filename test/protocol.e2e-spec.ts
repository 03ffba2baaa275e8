import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { McpRegistry } from '../src/mcp/discovery/mcp.registry';
import { StandaloneStreamRegistry } from '../src/mcp/edges/streamable-http/standalone-stream.registry';
import { FixtureTools, FixtureToolsModule } from './fixtures/fixture-tools.module';
import { INITIALIZE, MCP_ACCEPT, RunningPlatform, connectClient, jsonOf, postRaw, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { messagesOf, readEvents, textOf } from './helpers/sse';

describe('the complete protocol (stateful)', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ toolPacks: { conformance: true } }, [FixtureToolsModule]);
  });

  afterAll(async () => {
    await platform?.close();
  });

  async function openSession(): Promise<{ sessionId: string; headers: Record<string, string> }> {
    const init = await postRaw(platform.mcpUrl, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: '2025-11-25' } });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await (await postRaw(platform.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
    return { sessionId, headers };
  }

  it('lets a tool elicit input that the client answers', async () => {
    const { client } = await connectClient(platform.mcpUrl, { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
    });
    try {
      const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
      expect(asked).toEqual(['Who are you?']);
      expect(textOf(result)).toContain('"username":"ada"');
    } finally {
      await client.close();
    }
  });

  it('refuses an answer that does not match the requested schema', async () => {
    const { client } = await connectClient(platform.mcpUrl, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { username: 'ada' } }));
    try {
      const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
      expect(result.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('answers elicitation with a clear error when the client did not declare the capability', async () => {
    const { client } = await connectClient(platform.mcpUrl);
    try {
      const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('does not support elicitation');
    } finally {
      await client.close();
    }
  });

  it('sends the user to a URL when the client supports URL-mode elicitation, and refuses otherwise', async () => {
    const { client } = await connectClient(platform.mcpUrl, { capabilities: { elicitation: { url: {} } } });
    const asked: Array<Record<string, unknown>> = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params as Record<string, unknown>);
      return { action: 'accept' };
    });
    try {
      const result = await client.callTool({ name: 'fixture_url_elicitation', arguments: {} });
      expect(textOf(result)).toBe('action=accept');
      expect(asked).toEqual([
        expect.objectContaining({ mode: 'url', url: 'https://auth.example.com/start', elicitationId: 'elicit-1', message: 'Please sign in to continue' }),
      ]);
    } finally {
      await client.close();
    }
    const formOnly = await connectClient(platform.mcpUrl, { capabilities: { elicitation: {} } });
    try {
      const refused = await formOnly.client.callTool({ name: 'fixture_url_elicitation', arguments: {} });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('URL-mode elicitation');
    } finally {
      await formOnly.client.close();
    }
  });

  it('lets a tool sample the client’s model', async () => {
    const { client } = await connectClient(platform.mcpUrl, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      role: 'assistant',
      content: { type: 'text', text: `echo: ${(request.params.messages[0].content as { text: string }).text}` },
      model: 'test-model',
      stopReason: 'endTurn',
    }));
    try {
      const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello model' } });
      expect(textOf(result)).toBe('LLM response: echo: hello model');
    } finally {
      await client.close();
    }
  });

  it('keeps concurrent elicitations of one session apart', async () => {
    const { client } = await connectClient(platform.mcpUrl, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      await new Promise((resolve) => setTimeout(resolve, request.params.message === 'first' ? 30 : 0));
      return { action: 'accept', content: { username: request.params.message, email: 'x@example.com' } };
    });
    try {
      const [first, second] = await Promise.all([
        client.callTool({ name: 'test_elicitation', arguments: { message: 'first' } }),
        client.callTool({ name: 'test_elicitation', arguments: { message: 'second' } }),
      ]);
      expect(textOf(first)).toContain('"username":"first"');
      expect(textOf(second)).toContain('"username":"second"');
    } finally {
      await client.close();
    }
  });

  it('delivers resources/updated to a subscribed session on its standalone stream', async () => {
    const { client, transport } = await connectClient(platform.mcpUrl);
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updates.push(notification.params.uri);
    });
    try {
      const streams = platform.app.get(StandaloneStreamRegistry);
      await waitFor(() => streams.has(transport.sessionId!), 5000, 'the standalone stream');
      await client.subscribeResource({ uri: 'examples://counter' });
      const result = await client.callTool({ name: 'increment_counter', arguments: {} });
      expect(JSON.parse(textOf(result)).notifiedSessions).toBeGreaterThanOrEqual(1);
      await waitFor(() => updates.length > 0, 5000, 'resources/updated');
      expect(updates).toEqual(['examples://counter']);

      await client.unsubscribeResource({ uri: 'examples://counter' });
      await client.callTool({ name: 'increment_counter', arguments: {} });
      await client.ping();
      expect(updates).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('sends tools/list_changed when a tool is removed at run time', async () => {
    const { client, transport } = await connectClient(platform.mcpUrl);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes += 1;
    });
    const registry = platform.app.get(McpRegistry);
    const tool = registry.getTool('fixture_intercepted')!;
    try {
      await waitFor(() => platform.app.get(StandaloneStreamRegistry).has(transport.sessionId!), 5000, 'the standalone stream');
      registry.removeTool('fixture_intercepted');
      await waitFor(() => changes > 0, 5000, 'tools/list_changed');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).not.toContain('fixture_intercepted');
    } finally {
      registry.addTool(tool);
      await client.close();
    }
  });

  it('resumes an interrupted tools/call stream with Last-Event-ID', async () => {
    const { headers } = await openSession();
    const controller = new AbortController();
    const response = await fetch(platform.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'generate_numbers', arguments: { count: 5, delayMs: 60 }, _meta: { progressToken: 'p1' } },
      }),
      signal: controller.signal,
    });
    const first = await readEvents(response, (events) => messagesOf(events).filter((m) => m.method === 'notifications/progress').length >= 2);
    controller.abort();
    const lastEventId = [...first].reverse().find((event) => event.id)!.id!;

    const resumed = await fetch(platform.mcpUrl, { headers: { accept: 'text/event-stream', 'last-event-id': lastEventId, ...headers } });
    expect(resumed.status).toBe(200);
    const rest = messagesOf(await readEvents(resumed, () => false));
    const progressOf = (messages: Array<Record<string, unknown>>) =>
      messages.filter((m) => m.method === 'notifications/progress').map((m) => (m.params as { progress: number }).progress);
    // Nothing lost, nothing twice: what came before the cut and after the resume make 1..5.
    expect([...progressOf(messagesOf(first)), ...progressOf(rest)]).toEqual([1, 2, 3, 4, 5]);
    expect(progressOf(rest).length).toBeGreaterThan(0);
    const result = rest.find((m) => m.id === 7) as { result: { content: Array<{ text: string }> } };
    expect(JSON.parse(result.result.content[0].text)).toEqual({ generated: 5, numbers: [1, 2, 3, 4, 5] });
  });

  it('replays a finished stream to a client that missed its end', async () => {
    const { headers } = await openSession();
    // A call that outlives its first turn: its stream is primed, numbered and stored.
    const response = await postRaw(
      platform.mcpUrl,
      { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'p8' } } },
      headers,
    );
    const events = await readEvents(response, () => false);
    const priming = events.find((event) => event.id && !event.data)!;
    expect(priming).toBeDefined();
    const replay = await fetch(platform.mcpUrl, { headers: { accept: 'text/event-stream', 'last-event-id': priming.id!, ...headers } });
    const messages = messagesOf(await readEvents(replay, () => false));
    expect(messages.map((message) => message.method ?? message.id)).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      8,
    ]);
  });

  it('answers a call done at once as one SSE body with nothing to resume (no event ids)', async () => {
    const { headers } = await openSession();
    const response = await postRaw(
      platform.mcpUrl,
      { jsonrpc: '2.0', id: 18, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } },
      headers,
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('content-length')).not.toBeNull();
    const events = await readEvents(response, () => false);
    expect(events.every((event) => event.id === undefined)).toBe(true);
    expect(messagesOf(events)).toEqual([expect.objectContaining({ id: 18, result: expect.objectContaining({ structuredContent: { result: 3 } }) })]);
  });

  it('refuses a Last-Event-ID of another session', async () => {
    const one = await openSession();
    const other = await openSession();
    const response = await postRaw(
      platform.mcpUrl,
      { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {} } },
      one.headers,
    );
    const eventId = (await readEvents(response, () => false)).find((event) => event.id)!.id!;
    const stolen = await fetch(platform.mcpUrl, { headers: { accept: 'text/event-stream', 'last-event-id': eventId, ...other.headers } });
    expect(stolen.status).toBe(400);
    await stolen.text();
  });

  it('lets a tool close its stream early; the SDK client resumes and gets the result (SSE polling)', async () => {
    const { client } = await connectClient(platform.mcpUrl);
    try {
      const result = await client.callTool({ name: 'test_reconnection', arguments: {} });
      expect(textOf(result)).toBe('Reconnection test completed successfully');
    } finally {
      await client.close();
    }
  });

  it('keeps the stream open for a 2025-03-26 client when a tool closes it early (no priming event to resume from)', async () => {
    const init = await postRaw(platform.mcpUrl, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: '2025-03-26' } });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-03-26' };
    await (await postRaw(platform.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
    const response = await postRaw(
      platform.mcpUrl,
      { jsonrpc: '2.0', id: 31, method: 'tools/call', params: { name: 'test_reconnection', arguments: {} } },
      headers,
    );
    const messages = messagesOf(await readEvents(response, () => false));
    expect(messages).toEqual([
      expect.objectContaining({
        id: 31,
        result: expect.objectContaining({ content: [{ type: 'text', text: 'Reconnection test completed successfully' }] }),
      }),
    ]);
  });

  it('resumes the standalone stream with the notifications it missed', async () => {
    const { sessionId, headers } = await openSession();
    const streams = platform.app.get(StandaloneStreamRegistry);
    const call = async (id: number, method: string, params: Record<string, unknown>) =>
      (await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id, method, params }, headers)).text();
    await call(1, 'resources/subscribe', { uri: 'examples://counter' });

    const controller = new AbortController();
    const live = await fetch(platform.mcpUrl, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    await waitFor(() => streams.has(sessionId), 5000, 'the standalone stream');
    await call(2, 'tools/call', { name: 'increment_counter', arguments: {} });
    const seen = await readEvents(live, (events) => events.some((event) => event.data));
    controller.abort();
    await waitFor(() => !streams.has(sessionId), 5000, 'the stream to close');

    // Sent while the client is away: stored in the session's standalone stream.
    await call(3, 'tools/call', { name: 'increment_counter', arguments: {} });
    const resumed = await fetch(platform.mcpUrl, {
      headers: { accept: 'text/event-stream', 'last-event-id': seen.find((event) => event.id)!.id!, ...headers },
    });
    const missed = await readEvents(resumed, (events) => events.some((event) => event.data));
    expect(messagesOf(missed)).toEqual([{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'examples://counter' } }]);
    await resumed.body?.cancel().catch(() => undefined);
  });

  it('carries a client’s cancellation to the running tool', async () => {
    const { client } = await connectClient(platform.mcpUrl);
    const controller = new AbortController();
    try {
      FixtureTools.waiting = false;
      const call = client.callTool({ name: 'fixture_wait_for_cancel', arguments: {} }, undefined, { signal: controller.signal });
      await waitFor(() => FixtureTools.waiting, 5000, 'the tool to start');
      controller.abort('user pressed stop');
      await expect(call).rejects.toBeDefined();
      await waitFor(() => FixtureTools.cancelled, 5000, 'the tool to see the cancellation');
    } finally {
      await client.close();
    }
  });
});

describe('elicitation in stateless mode', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ toolPacks: { conformance: true }, sessions: { mode: 'stateless' } });
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('is refused with a clear isError: the client cannot answer without a session', async () => {
    const { client } = await connectClient(platform.mcpUrl, { capabilities: { elicitation: {} } });
    try {
      const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('needs a session');
    } finally {
      await client.close();
    }
  });
});

describe('the legacy HTTP+SSE transport', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform();
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('serves an SDK SSEClientTransport: tools, progress and resources', async () => {
    const client = new Client({ name: 'legacy-client', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(`${platform.baseUrl}/sse`)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('add');
      const sum = await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } });
      expect(sum.structuredContent).toEqual({ result: 42 });
      const progress: number[] = [];
      await client.callTool({ name: 'generate_numbers', arguments: { count: 3, delayMs: 20 } }, undefined, {
        onprogress: (update) => progress.push(update.progress),
      });
      // The last progress and the result leave together; the SDK client handles notifications
      // a tick after responses, so it may drop that last one. Every earlier one arrives.
      expect(progress.slice(0, 2)).toEqual([1, 2]);
    } finally {
      await client.close();
    }
  });

  it('binds the tenant of /tenants/{tenantId}/sse', async () => {
    const client = new Client({ name: 'legacy-client', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(`${platform.baseUrl}/tenants/acme/sse`)));
    try {
      const info = await client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBe('acme');
    } finally {
      await client.close();
    }
  });

  it('answers 404 for an unknown session and for one whose stream closed (the session ends with its stream)', async () => {
    const unknown = await postRaw(`${platform.baseUrl}/messages?sessionId=nope`, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(unknown.status).toBe(404);
    await unknown.text();

    const controller = new AbortController();
    const stream = await fetch(`${platform.baseUrl}/sse`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const [endpoint] = await readEvents(stream, (events) => events.length > 0);
    const messagesUrl = new URL(endpoint.data!, platform.baseUrl).toString();
    const alive = await postRaw(messagesUrl, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(alive.status).toBe(202);
    await alive.text();
    controller.abort();
    await waitFor(
      async () => {
        const ended = await postRaw(messagesUrl, { jsonrpc: '2.0', id: 2, method: 'ping' });
        await ended.text();
        return ended.status === 404;
      },
      5000,
      '404 for the ended session',
    );
    const body = await jsonOf(await postRaw(messagesUrl, { jsonrpc: '2.0', id: 3, method: 'ping' }));
    expect(body.error.code).toBe(-32001);
  });
});
