import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { generateApiKey } from '../src/auth/api-key.generator';
import { ModernToolCallFastPath } from '../src/mcp/edges/modern/modern-tool-call.fast-path';
import { FAULT_TIMEOUT_MS, FaultToolsModule, MALFORMED_RESULTS } from './fixtures/fault-tools.module';
import { QuotaToolsModule } from './fixtures/quota-tools.module';
import { MCP_ACCEPT, RunningPlatform, startPlatform } from './helpers/platform';

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

describe('2026-07-28 tools/call: the fast path answers as the SDK does', () => {
  let fast: RunningPlatform;
  let sdk: RunningPlatform;
  let taken: jest.SpyInstance;

  beforeAll(async () => {
    const config = (fastPaths: boolean) => ({
      mcp: { fastPaths },
      sessions: { mode: 'stateless' },
      toolPacks: { conformance: true },
      auth: {
        apiKeys: [
          { id: 'admin', hash: admin.hash, permissions: ['*'] },
          { id: 'narrow', hash: narrow.hash, permissions: ['calculator:*'] },
        ],
      },
    });
    [fast, sdk] = await Promise.all([
      startPlatform(config(true), [QuotaToolsModule, FaultToolsModule]),
      startPlatform(config(false), [QuotaToolsModule, FaultToolsModule]),
    ]);
    taken = jest.spyOn(fast.app.get(ModernToolCallFastPath), 'serve');
  });

  afterAll(async () => {
    taken?.mockRestore();
    await Promise.all([fast?.close(), sdk?.close()]);
  });

  beforeEach(() => taken.mockClear());

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const [viaFast, viaSdk] = await Promise.all([post(fast.mcpUrl, c), post(sdk.mcpUrl, c)]);
      expect(comparable(viaFast)).toEqual(comparable(viaSdk));
      expect(taken).toHaveBeenCalledTimes(c.fast ? 1 : 0);
    },
    FAULT_TIMEOUT_MS + 10_000,
  );

  it('keeps a tool’s own rate limit (-32004 past it), counted the same way', async () => {
    const c: Case = { name: 'quota', tool: 'fixture_quota', fast: true };
    for (let round = 0; round < 3; round++) {
      const [viaFast, viaSdk] = await Promise.all([post(fast.mcpUrl, c), post(sdk.mcpUrl, c)]);
      expect(viaFast).toEqual(viaSdk);
    }
    const last = await post(fast.mcpUrl, c);
    expect((last.body?.error as { code?: number } | undefined)?.code).toBe(-32004);
  });

  it('serves the v2 SDK client’s calls, and a multi-round call continues through the SDK', async () => {
    const client = new Client(
      { name: 'fast-path-v2', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
    );
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept' as const, content: { name: 'Ada' } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(fast.mcpUrl), { requestInit: { headers: { 'x-api-key': admin.key } } }));
    try {
      taken.mockClear();
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'via the fast path' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'via the fast path' }]);
      expect(taken).toHaveBeenCalledTimes(1);

      // Round 1 (input_required) on the fast path, round 2 (requestState) through the SDK.
      const greeted = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
      expect(greeted.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      expect(taken).toHaveBeenCalledTimes(2);
    } finally {
      await client.close();
    }
  });
});
