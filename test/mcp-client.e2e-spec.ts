import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { FixtureToolsModule } from './fixtures/fixture-tools.module';
import { ConnectedClient, jsonOf, RunningPlatform, connectClient, startPlatform } from './helpers/platform';

type TextResult = { content: Array<{ type: string; text?: string }>; isError?: boolean; structuredContent?: unknown };

const textOf = (result: unknown): string => ((result as TextResult).content[0]?.text ?? '') as string;

const BUILT_IN_TOOLS = [
  'add',
  'subtract',
  'multiply',
  'divide',
  'power',
  'sqrt',
  'echo',
  'printHeader',
  'bearerDecode',
  'authContext',
  'requestTiming',
  'corsAnalysis',
  'environmentDump',
  'healthProbe',
  'whoIStheGOAT',
  'generate_numbers',
];

// A JWT with header {"alg":"HS256","typ":"JWT"} and payload {"sub":"user-42","iss":"https://issuer.test","iat":1700000000}.
const JWT = [
  Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url'),
  Buffer.from(JSON.stringify({ sub: 'user-42', iss: 'https://issuer.test', iat: 1700000000 })).toString('base64url'),
  'c2lnbmF0dXJl',
].join('.');

const MATRIX = [
  ['stateful', 'express'],
  ['stateless', 'express'],
  ['stateful', 'fastify'],
  ['stateless', 'fastify'],
] as const;

describe.each(MATRIX)('MCP over Streamable HTTP with the SDK client (%s, %s)', (mode, adapter) => {
  let platform: RunningPlatform;
  let connected: ConnectedClient;
  let client: Client;

  beforeAll(async () => {
    platform = await startPlatform({ sessions: { mode }, http: { adapter } }, [FixtureToolsModule]);
    connected = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${JWT}`, 'x-fixture-allow': 'yes' } });
    client = connected.client;
  });

  afterAll(async () => {
    await client?.close();
    await platform?.close();
  });

  it('initializes with the platform as server and its capabilities', () => {
    expect(client.getServerVersion()).toEqual({ name: 'mcp-platform', version: expect.any(String) });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} });
  });

  it('issues a session id only in stateful mode', () => {
    if (mode === 'stateful') expect(connected.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    else expect(connected.transport.sessionId).toBeUndefined();
  });

  it('lists every built-in tool with a description and an object input schema', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(BUILT_IN_TOOLS));
    for (const tool of tools) {
      expect(tool.description).toEqual(expect.any(String));
      expect(tool.inputSchema.type).toBe('object');
    }
    const add = tools.find((tool) => tool.name === 'add')!;
    expect(add.inputSchema.required).toEqual(['a', 'b']);
    expect(add.outputSchema).toMatchObject({ type: 'object', properties: { result: { type: 'number' } } });
    const power = tools.find((tool) => tool.name === 'power')!;
    expect(power.inputSchema.properties).toMatchObject({ base: { type: 'number' }, exponent: { type: 'number' } });
  });

  it.each([
    ['add', { a: 2, b: 3 }, 5],
    ['subtract', { a: 2, b: 3 }, -1],
    ['multiply', { a: 4, b: 2.5 }, 10],
    ['divide', { a: 9, b: 3 }, 3],
    ['power', { base: 2, exponent: 10 }, 1024],
    ['sqrt', { x: 16 }, 4],
  ])('calculates %s', async (name, args, expected) => {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ result: expected });
  });

  it('answers division by zero and the root of a negative with isError and a clear message', async () => {
    const divide = await client.callTool({ name: 'divide', arguments: { a: 1, b: 0 } });
    expect(divide.isError).toBe(true);
    expect(textOf(divide)).toContain('Division by zero');
    const sqrt = await client.callTool({ name: 'sqrt', arguments: { x: -4 } });
    expect(sqrt.isError).toBe(true);
    expect(textOf(sqrt)).toContain('negative');
  });

  it('answers arguments that fail the schema with isError naming the field and the rule', async () => {
    const zod = await client.callTool({ name: 'add', arguments: { a: 'two', b: 3 } });
    expect(zod.isError).toBe(true);
    expect(textOf(zod)).toMatch(/a: .*number.*\(invalid_type\)/);
    const dto = await client.callTool({ name: 'power', arguments: { base: 2 } });
    expect(dto.isError).toBe(true);
    expect(textOf(dto)).toMatch(/exponent: .*\(isNumber\)/);
  });

  it('answers an unknown tool with JSON-RPC error -32602', async () => {
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('echoes with the reverse and uppercase options', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'Hello, MCP!', reverse: true, uppercase: true } });
    expect(textOf(result)).toBe('!PCM ,OLLEH');
  });

  it('shows request headers with the Authorization secret masked', async () => {
    const text = textOf(await client.callTool({ name: 'printHeader', arguments: {} }));
    expect(text).toContain('authorization: Bearer ******');
    expect(text).not.toContain(JWT.slice(10, 40));
    expect(text).toContain('x-fixture-allow: yes');
  });

  it('decodes the Bearer token of the request', async () => {
    const text = textOf(await client.callTool({ name: 'bearerDecode', arguments: {} }));
    expect(text).toContain('"sub": "user-42"');
    expect(text).toContain('does NOT verify');
    const bad = await client.callTool({ name: 'bearerDecode', arguments: { token: 'not-a-jwt' } });
    expect(bad.isError).toBe(true);
  });

  it.each(['authContext', 'requestTiming', 'corsAnalysis', 'environmentDump', 'healthProbe', 'whoIStheGOAT'])(
    'runs the diagnostic tool %s',
    async (name) => {
      const result = await client.callTool({ name, arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(textOf(result).length).toBeGreaterThan(20);
    },
  );

  it('reports the issuer of the bearer token in authContext', async () => {
    const text = textOf(await client.callTool({ name: 'authContext', arguments: {} }));
    expect(text).toContain('Issuer: https://issuer.test');
    expect(text).toContain('Algorithm: HS256');
  });

  it('streams progress notifications while a tool works', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await client.callTool({ name: 'generate_numbers', arguments: { count: 4, delayMs: 5 } }, CallToolResultSchema, {
      onprogress: (update) => progress.push(update),
    });
    expect(JSON.parse(textOf(result))).toEqual({ generated: 4, numbers: [1, 2, 3, 4] });
    expect(progress.map((update) => update.progress)).toEqual([1, 2, 3, 4]);
    expect(progress[3]).toMatchObject({ total: 4, message: 'Generated 4 of 4' });
  });

  it('reads a static resource and a templated one', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('platform://info');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('examples://docs/{topic}');

    const info = await client.readResource({ uri: 'platform://info' });
    expect(JSON.parse((info.contents[0] as { text: string }).text)).toMatchObject({ nodeId: 'test-node', sessionMode: mode });
    const doc = await client.readResource({ uri: 'examples://docs/tools' });
    expect(doc.contents[0]).toMatchObject({ uri: 'examples://docs/tools', mimeType: 'text/markdown' });
    expect((doc.contents[0] as { text: string }).text).toContain('@McpTool');
  });

  it('answers an unknown resource with -32002', async () => {
    await expect(client.readResource({ uri: 'nothing://here' })).rejects.toMatchObject({ code: -32002 });
  });

  it('gets a prompt with its arguments and refuses one without a required argument', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.find((prompt) => prompt.name === 'summarize')?.arguments).toHaveLength(2);
    const prompt = await client.getPrompt({ name: 'summarize', arguments: { text: 'Lorem ipsum', style: 'detailed' } });
    expect(prompt.messages[0]).toMatchObject({ role: 'user', content: { type: 'text' } });
    expect((prompt.messages[0].content as { text: string }).text).toContain('detailed');
    await expect(client.getPrompt({ name: 'summarize', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('completes prompt arguments and template variables', async () => {
    const style = await client.complete({ ref: { type: 'ref/prompt', name: 'summarize' }, argument: { name: 'style', value: 'b' } });
    expect(style.completion.values).toEqual(['brief', 'bullet-points']);
    const topic = await client.complete({
      ref: { type: 'ref/resource', uri: 'examples://docs/{topic}' },
      argument: { name: 'topic', value: 'se' },
    });
    expect(topic.completion.values).toEqual(['sessions']);
  });

  it('turns a tool timeout into isError and keeps serving', async () => {
    const slow = await client.callTool({ name: 'fixture_slow', arguments: {} });
    expect(slow.isError).toBe(true);
    expect(textOf(slow)).toContain('timed out after 100 ms');
    const next = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(next.structuredContent).toEqual({ result: 2 });
  });

  it('answers a tool that throws with isError and its message, never a stack', async () => {
    const result = await client.callTool({ name: 'fixture_throws', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('Tool "fixture_throws" failed: boom');
  });

  it('runs guards, interceptors and pipes declared on tool methods', async () => {
    expect(textOf(await client.callTool({ name: 'fixture_guarded', arguments: { word: 'ok' } }))).toBe('ok for a request');
    expect(textOf(await client.callTool({ name: 'fixture_intercepted', arguments: {} }))).toBe('result (intercepted)');
    expect(textOf(await client.callTool({ name: 'fixture_piped', arguments: { word: 'loud' } }))).toBe('LOUD');
  });

  it('refuses a call when the guard on the tool says no', async () => {
    const refused = await connectClient(platform.mcpUrl);
    try {
      const result = await refused.client.callTool({ name: 'fixture_guarded', arguments: { word: 'ok' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('Forbidden');
    } finally {
      await refused.client.close();
    }
  });

  it('gives tools the request, session and node in their context', async () => {
    const context = JSON.parse(textOf(await client.callTool({ name: 'fixture_context', arguments: {} })));
    expect(context).toMatchObject({ requestId: expect.any(String), nodeId: 'test-node', hasSignal: true });
    if (mode === 'stateful') {
      expect(context.sessionId).toBe(connected.transport.sessionId);
      expect(context.client).toEqual({ name: 'e2e-client', version: '1.0.0' });
    }
  });
});

describe('logging/setLevel (stateful)', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform();
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('sends tool logs at or above the level the session set', async () => {
    const { client } = await connectClient(platform.mcpUrl);
    const levels: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      levels.push(notification.params.level);
    });
    try {
      await client.callTool({ name: 'generate_numbers', arguments: { count: 1, delayMs: 0 } });
      expect(levels).toEqual(['info']);
      await client.setLoggingLevel('warning');
      await client.callTool({ name: 'generate_numbers', arguments: { count: 1, delayMs: 0 } });
      expect(levels).toEqual(['info']);
    } finally {
      await client.close();
    }
  });
});

describe('sessions (stateful)', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform();
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('ends a session with DELETE, after which its id is unknown (404)', async () => {
    const { client, transport } = await connectClient(platform.mcpUrl);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await client.close();
    const response = await fetch(platform.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
    expect(await jsonOf<object>(response)).toMatchObject({ error: { code: -32001 } });
  });

  it('lets a client reconnect with a known session id on a new transport', async () => {
    const first = await connectClient(platform.mcpUrl);
    const sessionId = first.transport.sessionId!;
    const client = new Client({ name: 'resumer', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(platform.mcpUrl), { sessionId });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
      expect(result.structuredContent).toEqual({ result: 42 });
    } finally {
      await client.close();
      await first.client.close();
    }
  });

  it('binds a session to the tenant of its path: another tenant gets 404', async () => {
    const acme = await connectClient(`${platform.baseUrl}/tenants/acme/mcp`);
    try {
      const info = await acme.client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBe('acme');
      const other = await fetch(`${platform.baseUrl}/tenants/globex/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': acme.transport.sessionId!,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(other.status).toBe(404);
      const plain = await fetch(platform.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': acme.transport.sessionId! },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(plain.status).toBe(404);
    } finally {
      await acme.client.close();
    }
  });

  it('refuses an unknown session id, so the SDK client fails instead of acting on it', async () => {
    const client = new Client({ name: 'stale', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(platform.mcpUrl), { sessionId: '00000000-0000-0000-0000-000000000000' });
    await client.connect(transport).catch(() => undefined);
    await expect(client.listTools()).rejects.toBeInstanceOf(Error);
    await client.close();
  });
});
