import { Injectable, Module } from '@nestjs/common';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { generateApiKey } from '../src/auth/api-key.generator';
import { ModernToolCallFastPath } from '../src/mcp/edges/modern/modern-tool-call.fast-path';
import { ToolCallFastPath } from '../src/mcp/edges/streamable-http/tool-call.fast-path';
import { McpRequestRouter } from '../src/mcp/edges/streamable-http/mcp-request.router';
import { McpTool, McpToolContext } from '../src/mcp';
import { FAULT_TIMEOUT_MS, FaultTools, FaultToolsModule, MALFORMED_RESULTS } from './fixtures/fault-tools.module';
import { QuotaToolsModule } from './fixtures/quota-tools.module';
import { MCP_ACCEPT, RunningPlatform, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';

// The 2026-07-28 tools/call fast path must answer exactly as the v2 SDK does. Two platforms
// with the same tools and keys, one with `mcp.fastPaths: false`; every case goes to both and
// the answers (status, content type, body) must be equal — and the fast path must have
// served the plain cases and left the others to the SDK.

const MODERN = '2026-07-28';
const admin = generateApiKey();
const narrow = generateApiKey();

interface Case {
  name: string;
  tool: string;
  arguments?: Record<string, unknown>;
  key?: string;
  capabilities?: Record<string, unknown>;
  meta?: Record<string, unknown>;
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  id?: unknown;
  /** Whether the fast path takes it. */
  fast: boolean;
}

interface Answer {
  status: number;
  contentType: string | null;
  body: Record<string, unknown> | undefined;
}

async function post(url: string, c: Case): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: MCP_ACCEPT,
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': c.tool,
      'x-api-key': c.key ?? admin.key,
      ...c.headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: c.id === undefined ? 7 : c.id,
      method: 'tools/call',
      params: {
        name: c.tool,
        ...(c.arguments && { arguments: c.arguments }),
        ...c.params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientCapabilities': c.capabilities ?? {},
          'io.modelcontextprotocol/clientInfo': { name: 'fast-path-e2e', version: '1' },
          ...c.meta,
        },
      },
    }),
  });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text) as Record<string, unknown>;
  else if (text !== '') body = { sse: text.split('\n').filter((line) => line.startsWith('data: {')) };
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}

/** A sealed requestState differs on every seal: compared by presence, not by value. */
function comparable(answer: Answer): Answer {
  const result = answer.body?.result as Record<string, unknown> | undefined;
  if (typeof result?.requestState !== 'string') return answer;
  return { ...answer, body: { ...answer.body, result: { ...result, requestState: '<sealed>' } } };
}

const CASES: Case[] = [
  { name: 'a plain call', tool: 'echo', arguments: { message: 'hi' }, fast: true },
  { name: 'a string id', tool: 'echo', arguments: { message: 'hi' }, id: 'call-1', fast: true },
  { name: 'no arguments', tool: 'test_simple_text', fast: true },
  { name: 'structured content', tool: 'add', arguments: { a: 2, b: 3 }, fast: true },
  { name: 'arguments that fail the schema (isError)', tool: 'echo', arguments: { message: 5 }, fast: true },
  { name: 'a tool error (isError)', tool: 'divide', arguments: { a: 1, b: 0 }, fast: true },
  { name: 'a tool that throws', tool: 'fault_throw', arguments: { message: 'boom' }, fast: true },
  { name: 'a tool past its timeout', tool: 'fault_hang', arguments: { tag: 'fast-path-diff' }, fast: true },
  { name: 'output that fails its schema', tool: 'fault_bad_output', fast: true },
  ...Object.keys(MALFORMED_RESULTS).map((kind): Case => ({
    name: `a malformed result (${kind})`,
    tool: 'fault_malformed',
    arguments: { kind },
    fast: true,
  })),
  { name: 'a permission refusal (-32003)', tool: 'test_simple_text', key: narrow.key, fast: true },
  { name: 'input required (elicitation)', tool: 'test_input_required_result_elicitation', capabilities: { elicitation: { form: {} } }, fast: true },
  { name: 'a capability the client lacks (-32021, 400)', tool: 'test_missing_capability', fast: true },
  { name: 'an unknown tool', tool: 'no_such_tool', fast: false },
  { name: 'a progress token', tool: 'echo', arguments: { message: 'hi' }, meta: { progressToken: 'p1' }, fast: false },
  { name: 'a log level', tool: 'test_logging_tool', meta: { 'io.modelcontextprotocol/logLevel': 'info' }, fast: false },
  { name: 'headers that disagree with the body', tool: 'echo', arguments: { message: 'hi' }, headers: { 'mcp-name': 'add' }, fast: false },
  { name: 'a non-integer id', tool: 'echo', arguments: { message: 'hi' }, id: 1.5, fast: false },
  { name: 'arguments that are not an object', tool: 'echo', params: { arguments: ['hi'] }, fast: false },
  { name: 'an unknown params key', tool: 'echo', arguments: { message: 'hi' }, params: { task: { ttl: 1000 } }, fast: false },
  {
    name: 'clientInfo without a version',
    tool: 'echo',
    arguments: { message: 'hi' },
    meta: { 'io.modelcontextprotocol/clientInfo': { name: 'x' } },
    fast: false,
  },
];

/**
 * Two platforms with the same tools and keys, one with `mcp.fastPaths: false`, and a spy on
 * the fast path's entry point of the other (set up around the describe that calls it).
 */
function comparedPlatforms(
  mode: 'stateless' | 'stateful',
  imports: NonNullable<Parameters<typeof startPlatform>[1]>,
  entry: () => { type: object; method: string },
) {
  const pair = {} as { fast: RunningPlatform; sdk: RunningPlatform; taken: jest.SpyInstance };
  beforeAll(async () => {
    const config = (fastPaths: boolean) => ({
      mcp: { fastPaths },
      sessions: { mode },
      toolPacks: { conformance: true },
      auth: {
        apiKeys: [
          { id: 'admin', hash: admin.hash, permissions: ['*'] },
          { id: 'narrow', hash: narrow.hash, permissions: ['calculator:*'] },
        ],
      },
    });
    [pair.fast, pair.sdk] = await Promise.all([startPlatform(config(true), imports), startPlatform(config(false), imports)]);
    const { type, method } = entry();
    pair.taken = jest.spyOn(pair.fast.app.get(type as never) as Record<string, () => unknown>, method as never);
  });
  afterAll(async () => {
    pair.taken?.mockRestore();
    await Promise.all([pair.fast?.close(), pair.sdk?.close()]);
  });
  beforeEach(() => pair.taken.mockClear());
  return pair;
}

describe('2026-07-28 tools/call: the fast path answers as the SDK does', () => {
  const platforms = comparedPlatforms('stateless', [QuotaToolsModule, FaultToolsModule], () => ({ type: ModernToolCallFastPath, method: 'serve' }));

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const [viaFast, viaSdk] = await Promise.all([post(platforms.fast.mcpUrl, c), post(platforms.sdk.mcpUrl, c)]);
      expect(comparable(viaFast)).toEqual(comparable(viaSdk));
      expect(platforms.taken).toHaveBeenCalledTimes(c.fast ? 1 : 0);
    },
    FAULT_TIMEOUT_MS + 10_000,
  );

  it('keeps a tool’s own rate limit (-32004 past it), counted the same way', async () => {
    const c: Case = { name: 'quota', tool: 'fixture_quota', fast: true };
    for (let round = 0; round < 3; round++) {
      const [viaFast, viaSdk] = await Promise.all([post(platforms.fast.mcpUrl, c), post(platforms.sdk.mcpUrl, c)]);
      expect(viaFast).toEqual(viaSdk);
    }
    const last = await post(platforms.fast.mcpUrl, c);
    expect((last.body?.error as { code?: number } | undefined)?.code).toBe(-32004);
  });

  it('serves the v2 SDK client’s calls, and a multi-round call continues through the SDK', async () => {
    const client = new Client(
      { name: 'fast-path-v2', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
    );
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept' as const, content: { name: 'Ada' } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(platforms.fast.mcpUrl), { requestInit: { headers: { 'x-api-key': admin.key } } }));
    try {
      platforms.taken.mockClear();
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'via the fast path' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'via the fast path' }]);
      expect(platforms.taken).toHaveBeenCalledTimes(1);

      // Round 1 (input_required) on the fast path, round 2 (requestState) through the SDK.
      const greeted = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
      expect(greeted.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      expect(platforms.taken).toHaveBeenCalledTimes(2);
    } finally {
      await client.close();
    }
  });
});

// The same comparison for the 2025 leg's stateless tools/call (answered as SSE in `auto`).
interface LegacyCase {
  name: string;
  body: unknown;
  key?: string;
  /** How many of its calls the fast path takes. */
  fast: number;
}

const legacyCall = (tool: string, args?: Record<string, unknown>, extra: Record<string, unknown> = {}, id: unknown = 3) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: tool, ...(args && { arguments: args }), ...extra },
});

async function postLegacy(url: string, c: LegacyCase): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, 'x-api-key': c.key ?? admin.key },
    body: JSON.stringify(c.body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  let body: Record<string, unknown> | undefined;
  if ((contentType ?? '').includes('text/event-stream')) {
    body = { events: text.split('\n').flatMap((line) => (line.startsWith('data: {') ? [JSON.parse(line.slice(6)) as unknown] : [])) };
  } else if (text !== '') body = JSON.parse(text) as Record<string, unknown>;
  return { status: response.status, contentType, body };
}

const LEGACY_CASES: LegacyCase[] = [
  { name: 'a plain call', body: legacyCall('echo', { message: 'hi' }), fast: 1 },
  { name: 'a string id', body: legacyCall('echo', { message: 'hi' }, {}, 'call-1'), fast: 1 },
  { name: 'no arguments', body: legacyCall('test_simple_text'), fast: 1 },
  { name: 'structured content', body: legacyCall('add', { a: 2, b: 3 }), fast: 1 },
  { name: 'arguments that fail the schema', body: legacyCall('echo', { message: 5 }), fast: 1 },
  { name: 'a tool error', body: legacyCall('divide', { a: 1, b: 0 }), fast: 1 },
  { name: 'a tool that throws', body: legacyCall('fault_throw', { message: 'boom' }), fast: 1 },
  { name: 'a tool past its timeout', body: legacyCall('fault_hang', { tag: 'fast-path-legacy' }), fast: 1 },
  { name: 'output that fails its schema', body: legacyCall('fault_bad_output'), fast: 1 },
  ...Object.keys(MALFORMED_RESULTS).map((kind): LegacyCase => ({
    name: `a malformed result (${kind})`,
    body: legacyCall('fault_malformed', { kind }),
    fast: 1,
  })),
  { name: 'a permission refusal (-32003)', body: legacyCall('test_simple_text'), key: narrow.key, fast: 1 },
  { name: 'an unknown tool', body: legacyCall('no_such_tool'), fast: 1 },
  { name: 'progress notifications', body: legacyCall('test_tool_with_progress', {}, { _meta: { progressToken: 'p-1' } }), fast: 1 },
  { name: 'log messages', body: legacyCall('test_tool_with_logging'), fast: 1 },
  { name: 'an ask the stateless client cannot answer', body: legacyCall('test_elicitation', { message: 'name?' }), fast: 1 },
  { name: 'a batch of two calls', body: [legacyCall('echo', { message: 'a' }, {}, 1), legacyCall('add', { a: 1, b: 1 }, {}, 2)], fast: 2 },
  {
    name: 'other _meta (through the SDK)',
    body: legacyCall('echo', { message: 'hi' }, { _meta: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }),
    fast: 0,
  },
  { name: 'a task (through the SDK)', body: legacyCall('echo', { message: 'hi' }, { task: { ttl: 1000 } }), fast: 0 },
  { name: 'arguments that are not an object (through the SDK)', body: legacyCall('echo', undefined, { arguments: ['hi'] }), fast: 0 },
  { name: 'a name that is not a string (through the SDK)', body: { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 42 } }, fast: 0 },
];

describe('2025 stateless tools/call: the fast path answers as the SDK does', () => {
  const platforms = comparedPlatforms('stateless', [FaultToolsModule], () => ({ type: ToolCallFastPath, method: 'dispatch' }));

  it.each(LEGACY_CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const [viaFast, viaSdk] = await Promise.all([postLegacy(platforms.fast.mcpUrl, c), postLegacy(platforms.sdk.mcpUrl, c)]);
      expect(viaFast).toEqual(viaSdk);
      expect(platforms.taken).toHaveBeenCalledTimes(c.fast);
    },
    FAULT_TIMEOUT_MS + 10_000,
  );

  it('stops a call the client cancels, and answers nothing for it', async () => {
    const { Client: ClientV1 } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport: TransportV1 } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const client = new ClientV1({ name: 'fast-path-cancel', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(platforms.fast.mcpUrl), { requestInit: { headers: { 'x-api-key': admin.key } } }));
    try {
      const controller = new AbortController();
      const call = client.callTool({ name: 'fault_hang', arguments: { tag: 'fast-path-cancel' } }, undefined, { signal: controller.signal });
      await waitFor(() => FaultTools.started.has('fast-path-cancel'), 5000, 'the call to start');
      controller.abort('enough');
      await expect(call).rejects.toThrow();
      await waitFor(() => FaultTools.aborts.has('fast-path-cancel'), 5000, 'the tool to see its abort');
      expect(platforms.taken).toHaveBeenCalled();
    } finally {
      await client.close();
    }
  });
});

// With sessions: requests to the client (elicitation, sampling, roots), their answers,
// errors and cancellation, progress and logs at the session's level — through the v1 SDK
// client, so what a client sees is compared, on both platforms.
@Injectable()
class AskingTools {
  @McpTool({ name: 'ask_slowly', description: 'Elicits with a short timeout', timeoutMs: 300 })
  async askSlowly(_input: object, context: McpToolContext): Promise<string> {
    const answer = await context.elicit('Take your time', { type: 'object', properties: { ok: { type: 'boolean' } } });
    return `answered ${answer.action}`;
  }

  @McpTool({ name: 'ask_roots', description: 'Lists the client’s roots' })
  async askRoots(_input: object, context: McpToolContext): Promise<string> {
    const roots = await context.listRoots();
    return JSON.stringify(roots);
  }
}

@Module({ providers: [AskingTools] })
class AskingToolsModule {}

type Behaviour = 'accept' | 'decline' | 'cancel' | 'error' | 'malformed' | 'never';

interface Seen {
  result?: unknown;
  error?: { code?: unknown; message?: string };
  asked: Array<{ method: string; params: unknown }>;
  notifications: Array<{ method: string; params: unknown }>;
}

async function callWith(url: string, behaviour: Behaviour, tool: string, args: Record<string, unknown>, setLevel?: string): Promise<Seen> {
  const { Client: ClientV1 } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport: TransportV1 } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const types = await import('@modelcontextprotocol/sdk/types.js');
  const seen: Seen = { asked: [], notifications: [] };
  const client = new ClientV1({ name: 'fast-path-sessions', version: '1.0.0' }, { capabilities: { elicitation: {}, sampling: {}, roots: {} } });
  const answer = async (method: string, params: unknown, ok: Record<string, unknown>, signal?: AbortSignal) => {
    seen.asked.push({ method, params });
    // The server's notifications/cancelled for this request aborts the handler.
    signal?.addEventListener('abort', () => seen.asked.push({ method: `${method} cancelled`, params: String(signal.reason) }));
    if (behaviour === 'error') throw new types.McpError(-32050, 'the user looked away', { why: 'test' });
    if (behaviour === 'malformed') return { unexpected: true } as never;
    if (behaviour === 'never') return new Promise<never>(() => undefined);
    return ok as never;
  };
  client.setRequestHandler(types.ElicitRequestSchema, (request, extra) =>
    answer(
      'elicitation/create',
      request.params,
      behaviour === 'accept'
        ? { action: 'accept', content: { username: 'ada', email: 'a@b.c' } }
        : { action: behaviour === 'cancel' ? 'cancel' : 'decline' },
      extra.signal,
    ),
  );
  client.setRequestHandler(types.CreateMessageRequestSchema, (request) =>
    answer('sampling/createMessage', request.params, { role: 'assistant', content: { type: 'text', text: 'forty-two' }, model: 'm' }),
  );
  client.setRequestHandler(types.ListRootsRequestSchema, (request) =>
    answer('roots/list', request.params, { roots: [{ uri: 'file:///src', name: 'src' }] }),
  );
  client.fallbackNotificationHandler = async (notification) => {
    seen.notifications.push({ method: notification.method, params: notification.params });
  };
  await client.connect(new TransportV1(new URL(url), { requestInit: { headers: { 'x-api-key': admin.key } } }));
  try {
    if (setLevel) await client.setLoggingLevel(setLevel as 'warning');
    seen.result = await client.callTool({ name: tool, arguments: args }, undefined, {
      onprogress: (progress) => seen.notifications.push({ method: 'progress', params: progress }),
    });
  } catch (error) {
    seen.error = { code: (error as { code?: unknown }).code, message: (error as Error).message };
  } finally {
    await client.close();
  }
  return seen;
}

describe('2025 tools/call with sessions: the fast path answers as the SDK does', () => {
  const platforms = comparedPlatforms('stateful', [AskingToolsModule, FaultToolsModule], () => ({ type: ToolCallFastPath, method: 'dispatch' }));

  // Rows of the same length: a shorter row would make Jest pass `done` as the last argument.
  const cases: Array<[string, Behaviour, string, Record<string, unknown>, string | undefined]> = [
    ['elicitation accepted', 'accept', 'test_elicitation', { message: 'Who are you?' }, undefined],
    ['elicitation declined', 'decline', 'test_elicitation', { message: 'Who are you?' }, undefined],
    ['elicitation cancelled', 'cancel', 'test_elicitation', { message: 'Who are you?' }, undefined],
    ['an error answer from the client', 'error', 'test_elicitation', { message: 'Who are you?' }, undefined],
    ['a malformed answer from the client', 'malformed', 'test_elicitation', { message: 'Who are you?' }, undefined],
    ['no answer before the tool’s timeout (the request is cancelled)', 'never', 'ask_slowly', {}, undefined],
    ['sampling', 'accept', 'test_sampling', { prompt: 'What is six times seven?' }, undefined],
    ['roots', 'accept', 'ask_roots', {}, undefined],
    ['progress', 'accept', 'test_tool_with_progress', {}, undefined],
    ['logs at every level', 'accept', 'test_tool_with_logging', {}, undefined],
    ['logs at the session’s level (warning)', 'accept', 'test_tool_with_logging', {}, 'warning'],
    ['a plain call', 'accept', 'echo', { message: 'hi' }, undefined],
  ];

  it.each(cases)(
    '%s',
    async (_name, behaviour, tool, args, level) => {
      const [viaFast, viaSdk] = await Promise.all([
        callWith(platforms.fast.mcpUrl, behaviour, tool, args, level),
        callWith(platforms.sdk.mcpUrl, behaviour, tool, args, level),
      ]);
      expect(viaFast).toEqual(viaSdk);
      if (behaviour === 'never') expect(viaFast.asked.map((ask) => ask.method)).toEqual(['elicitation/create', 'elicitation/create cancelled']);
      expect(platforms.taken).toHaveBeenCalledTimes(1);
    },
    15_000,
  );

  it('keeps nothing of a finished call in the request router', async () => {
    await callWith(platforms.fast.mcpUrl, 'never', 'ask_slowly', {});
    await callWith(platforms.fast.mcpUrl, 'accept', 'test_elicitation', { message: 'Who are you?' });
    const router = platforms.fast.app.get(McpRequestRouter) as unknown as { outbound: Map<string, unknown>; inboundCount: number };
    expect(router.outbound.size).toBe(0);
    expect(router.inboundCount).toBe(0);
  }, 15_000);
});
