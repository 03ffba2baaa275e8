import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, postRaw, readMessages } from './helpers/platform';
import { Spawned, freePort, start, stop, waitFor } from './helpers/processes';

const MAIN = resolve(__dirname, '..', 'dist', 'main.js');
/** The Node.js major of the Docker image (`NODE_IMAGE=node:24-slim` in the Dockerfile). */
const IMAGE_NODE = 'node@24';

/** A Node.js binary of that major from the npm registry (cached by npx after the first run). */
function imageNode(): string {
  return execFileSync('npx', ['-y', '-p', IMAGE_NODE, 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
    timeout: 240_000,
  }).trim();
}

/**
 * The built app on the Node.js the image ships, not only the machine's: Node 24 changed how
 * a corked response ends (what was written after its first write was dropped), which lost
 * every answer of a resumable stream while the tests on Node 20 passed.
 */
describe.each(['stateful', 'stateless'] as const)(`the built app on the image's Node.js (${IMAGE_NODE}, %s)`, (mode) => {
  let server: Spawned | undefined;
  let url: string;

  beforeAll(async () => {
    const node = imageNode();
    const port = await freePort();
    server = start(node, [MAIN], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MCP_SESSION_MODE: mode,
    });
    url = `http://127.0.0.1:${port}/mcp`;
    await waitFor(() => server!.output().includes('MCP platform listening'), 30_000, 'the server to listen');
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);
  }, 300_000);

  afterAll(async () => {
    await stop(server);
  });

  it('answers a tool call within its own SSE stream (no resumption needed)', async () => {
    const { client, transport } = await connectClient(url);
    try {
      // The SDK client would resume a stream that ended early and hide a lost answer: read the
      // POST's stream itself.
      const headers: Record<string, string> = { 'mcp-protocol-version': '2025-11-25' };
      if (transport.sessionId) headers['mcp-session-id'] = transport.sessionId;
      const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'in this stream' } } };
      const response = await postRaw(url, call, headers);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(await readMessages(response)).toEqual([{ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'in this stream' }] } }]);
    } finally {
      await client.close();
    }
  });

  it('answers tool calls as SSE streams, with progress, through the SDK client', async () => {
    const { client } = await connectClient(url);
    try {
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'on the image node' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'on the image node' }]);

      const progress: number[] = [];
      const generated = await client.callTool({ name: 'generate_numbers', arguments: { count: 3 } }, CallToolResultSchema, {
        onprogress: ({ progress: done }) => progress.push(done),
      });
      expect(generated.structuredContent ?? JSON.parse((generated.content as Array<{ text: string }>)[0].text)).toMatchObject({ generated: 3 });
      expect(progress).toEqual([1, 2, 3]);

      const info = await client.readResource({ uri: 'platform://info' });
      expect(info.contents[0]).toMatchObject({ uri: 'platform://info', mimeType: 'application/json' });
    } finally {
      await client.close();
    }
  });
});
