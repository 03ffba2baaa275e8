import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { INITIALIZE, postRaw, readMessages } from './helpers/platform';
import { Spawned, freePort, start, stop, waitFor } from './helpers/processes';

const ROOT = resolve(__dirname, '..');
const MAIN = resolve(ROOT, 'dist', 'main.js');
const FIXTURE_APP = resolve(__dirname, 'fixtures', 'logging-app.cjs');

interface LogLine {
  msg?: string;
  context?: string;
  requestId?: string;
  req?: { method?: string; url?: string; headers?: Record<string, string> };
  res?: { statusCode?: number };
}

/** The built entry point, as `npm start` runs it: defaults, environment, bad config. */
describe('the built entry point (dist/main.js)', () => {
  let server: Spawned | undefined;

  beforeAll(() => {
    // Built by test/global-setup.js.
    expect(existsSync(MAIN)).toBe(true);
  });

  afterEach(async () => {
    await stop(server);
    server = undefined;
  });

  const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' });

  it('serves MCP on PORT with the embedded defaults and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    server = start(process.execPath, [MAIN], { ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', NODE_ID: 'entry-1' });
    const url = `http://127.0.0.1:${port}/mcp`;
    await waitFor(() => server!.output().includes('MCP platform listening'), 20_000, 'the server to listen');

    const response = await postRaw(url, INITIALIZE);
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeTruthy();
    const [message] = await readMessages(response);
    expect(message).toMatchObject({ result: { serverInfo: { name: 'mcp-platform' } } });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const lines = server.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((line) => JSON.parse(line).nodeId === 'entry-1')).toBe(true);
  }, 30_000);

  it.each(['express', 'fastify'])(
    'logs one line per request on %s, with its request id, secrets masked and probes left out',
    async (adapter) => {
      const port = await freePort();
      server = start(process.execPath, [FIXTURE_APP], {
        ...baseEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        HTTP_ADAPTER: adapter,
        MCP_SESSION_MODE: 'stateless',
      });
      await waitFor(() => server!.output().includes('logging fixture listening'), 20_000, 'the server to listen');
      const base = `http://127.0.0.1:${port}`;

      const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'greet', arguments: {} } };
      const mcp = await postRaw(`${base}/mcp`, call, { 'x-request-id': 'log-line-1', authorization: 'Bearer sk-do-not-log-me' });
      expect(mcp.status).toBe(200);
      expect(await readMessages(mcp)).toEqual([expect.objectContaining({ result: { content: [{ type: 'text', text: 'hello' }] } })]);
      const tenant = await postRaw(
        `${base}/tenants/acme/mcp`,
        { jsonrpc: '2.0', id: 2, method: 'ping' },
        { 'x-request-id': 'log-line-2', 'content-type': 'text/plain' },
      );
      expect(tenant.status).toBe(415); // refused: still one line
      await tenant.text();
      const greeting = await fetch(`${base}/greeting`, { headers: { 'x-request-id': 'log-line-3' } });
      expect(await greeting.json()).toEqual({ hello: 'world' });
      const probe = await fetch(`${base}/health/ready`, { headers: { 'x-request-id': 'log-line-4' } });
      expect(probe.status).toBe(200);
      await probe.text();

      const lines = () =>
        server!
          .output()
          .trim()
          .split('\n')
          // Fastify prints a deprecation warning of its own (not JSON) on stderr.
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as LogLine);
      const completed = () => lines().filter((line) => line.msg === 'request completed');
      await waitFor(() => completed().length >= 3, 10_000, 'three request lines');
      const byId = new Map(completed().map((line) => [line.requestId, line]));
      expect(byId.get('log-line-1')).toMatchObject({ req: { method: 'POST', url: '/mcp' }, res: { statusCode: 200 } });
      expect(byId.get('log-line-1')?.req?.headers?.authorization).toMatch(/^Bearer \*+ \(\d+ chars\)$/);
      expect(byId.get('log-line-2')).toMatchObject({ req: { url: '/tenants/acme/mcp' }, res: { statusCode: 415 } });
      expect(byId.get('log-line-3')).toMatchObject({ req: { url: '/greeting' }, res: { statusCode: 200 } });
      expect(completed().filter((line) => line.requestId === 'log-line-1')).toHaveLength(1);
      // Probes are not logged.
      expect(lines().some((line) => line.requestId === 'log-line-4')).toBe(false);
      // A line written through Nest's Logger while serving a request carries its request id:
      // in a tool on the MCP endpoint and in an ordinary controller.
      expect(lines().find((line) => line.msg === 'greeting tool called')).toMatchObject({ requestId: 'log-line-1', context: 'GreetingTools' });
      expect(lines().find((line) => line.msg === 'greeting served')).toMatchObject({ requestId: 'log-line-3', context: 'Greeting' });
      expect(server.output()).not.toContain('sk-do-not-log-me');
    },
    30_000,
  );

  it('stops with exit code 1 and names the bad key when config is invalid', async () => {
    server = start(process.execPath, [MAIN], { ...baseEnv(), MCP_SESSION_MODE: 'sometimes', MCP_SESSION_TTL_SECONDS: '-5' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/sessions\.mode: .*\(from environment variable MCP_SESSION_MODE\)/);
    expect(server.output()).toMatch(/sessions\.ttlSeconds: .*\(from environment variable MCP_SESSION_TTL_SECONDS\)/);
  }, 30_000);

  it('refuses a config file that does not exist', async () => {
    server = start(process.execPath, [MAIN], { ...baseEnv(), MCP_CONFIG: '/nonexistent/platform.yaml' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('MCP_CONFIG: cannot read /nonexistent/platform.yaml');
  }, 30_000);
});
