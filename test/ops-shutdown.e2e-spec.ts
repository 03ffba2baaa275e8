import { execFileSync, spawnSync } from 'node:child_process';
import http from 'node:http';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { HealthPath } from '../src/health';
import { execForm, readDockerfile } from './helpers/dockerfile';
import { ConnectedClient, INITIALIZE, MCP_ACCEPT, connectClient, postRaw } from './helpers/platform';
import { Spawned, freePort, start, stop, waitFor } from './helpers/processes';

const ROOT = resolve(__dirname, '..');

/**
 * The built app, run as the image runs it: the Dockerfile's CMD in a directory laid out like
 * its runtime stage (dist/, package.json, config/default.yaml, node_modules/).
 */
describe('the image entry point: Dockerfile CMD, HEALTHCHECK and graceful shutdown', () => {
  const stages = readDockerfile(resolve(ROOT, 'Dockerfile'));
  const runtime = stages[stages.length - 1];
  const instruction = (keyword: string) => runtime.filter((i) => i.keyword === keyword).map((i) => i.args);
  const cmd = execForm(instruction('CMD').at(-1)!);
  const healthcheck = execForm(instruction('HEALTHCHECK').at(-1)!);
  let appDir: string;
  let server: Spawned | undefined;
  let connected: ConnectedClient | undefined;

  beforeAll(() => {
    appDir = mkdtempSync(join(tmpdir(), 'mcp-image-'));
    execFileSync(
      process.execPath,
      [
        resolve(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        join(appDir, 'dist'),
        '--tsBuildInfoFile',
        join(appDir, '.tsbuildinfo'),
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    copyFileSync(resolve(ROOT, 'package.json'), join(appDir, 'package.json'));
    mkdirSync(join(appDir, 'config'));
    // What the Dockerfile copies into config/.
    const configs = instruction('COPY')
      .find((args) => args.startsWith('config/'))!
      .split(/\s+/)
      .slice(0, -1);
    for (const file of configs) copyFileSync(resolve(ROOT, file), join(appDir, 'config', file.slice('config/'.length)));
    symlinkSync(resolve(ROOT, 'node_modules'), join(appDir, 'node_modules'), 'dir');
  }, 120_000);

  afterAll(() => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await connected?.client.close().catch(() => undefined);
    connected = undefined;
    await stop(server);
    server = undefined;
  });

  const env = (port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // The image requires credentials; these tests are about the process, not auth.
    MCP_ALLOW_ANONYMOUS: 'true',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  });

  /** Starts the CMD in the image layout; `node` is this test's node binary. */
  async function startImage(port: number, extra: NodeJS.ProcessEnv = {}): Promise<Spawned> {
    const spawned = start(process.execPath, cmd.slice(1), env(port, extra), { cwd: appDir });
    await waitFor(() => spawned.output().includes('MCP platform listening'), 20_000, 'the server to listen');
    return spawned;
  }

  it('runs the app with node directly, as a non-root user, from the runtime stage', () => {
    expect(cmd).toEqual(['node', '--max-semi-space-size=8', 'dist/main.js']);
    // npm start runs the app as the image does (the bench measures this command too).
    const scripts = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).toBe(cmd.join(' '));
    expect(instruction('USER').at(-1)).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(instruction('WORKDIR').at(-1)).toBe('/app');
    const copies = instruction('COPY').join('\n');
    expect(copies).toMatch(/\/app\/dist \.\/dist/);
    expect(copies).toMatch(/\/app\/node_modules \.\/node_modules/);
    expect(copies).toMatch(/^package\.json \.\/$/m);
    expect(copies).toMatch(/config\/default\.yaml/);
    expect(stages[0][0].args).toMatch(/NODE_IMAGE|node:(22|24)/);
  });

  it('serves on PORT from the image layout, and its HEALTHCHECK passes against /health/live', async () => {
    const port = await freePort();
    server = await startImage(port, { NODE_ID: 'image-1' });
    expect(healthcheck.join(' ')).toContain(HealthPath.LIVE);
    const probe = spawnSync(process.execPath, healthcheck.slice(1), { env: env(port), timeout: 15_000 });
    expect(probe.status).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}${HealthPath.READY}`)).status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('refuses to start without credentials, naming the key, and serves without the diagnostics pack', async () => {
    const port = await freePort();
    const refused = start(process.execPath, cmd.slice(1), { ...env(port), MCP_ALLOW_ANONYMOUS: '' }, { cwd: appDir });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/auth\.allowAnonymous: is false, and no auth\.apiKeys, auth\.jwt or tenants\.<id>\.jwt is configured/);

    server = await startImage(port);
    const tools = (await (await fetch(`http://127.0.0.1:${port}/tools`)).json()) as { tools: Array<{ name: string }> };
    const names = tools.tools.map((tool) => tool.name);
    expect(names).toContain('add');
    expect(names).not.toContain('environmentDump');
    expect(names).not.toContain('whoIStheGOAT');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('has a HEALTHCHECK that fails when nothing answers', async () => {
    const port = await freePort();
    const probe = spawnSync(process.execPath, healthcheck.slice(1), { env: env(port), timeout: 15_000 });
    expect(probe.status).toBe(1);
  });

  it('on SIGTERM during a slow tool call: readiness 503 and new sessions refused meanwhile, the call completes, exit 0', async () => {
    const port = await freePort();
    server = await startImage(port, { MCP_SHUTDOWN_GRACE_SECONDS: '60' });
    const base = `http://127.0.0.1:${port}`;
    connected = await connectClient(`${base}/mcp`);

    let signalled = false;
    const call = connected.client.callTool({ name: 'generate_numbers', arguments: { count: 20, delayMs: 200 } }, CallToolResultSchema, {
      timeout: 60_000,
      onprogress: () => {
        // The call is in flight once its first progress arrives.
        if (signalled) return;
        signalled = true;
        server!.child.kill('SIGTERM');
      },
    });

    let settled = false;
    void call.finally(() => (settled = true)).catch(() => undefined);

    await waitFor(() => signalled, 20_000, 'the first progress notification');
    const readiness: number[] = [];
    await waitFor(
      async () => {
        readiness.push((await fetch(`${base}${HealthPath.READY}`)).status);
        return readiness.at(-1) === 503;
      },
      20_000,
      'readiness to turn 503',
    );
    expect(settled).toBe(false); // readiness was 503 while the call was still running
    expect((await postRaw(`${base}/mcp`, INITIALIZE)).status).toBe(503);

    const result = await call;
    expect(result.isError).toBeFalsy();
    const [content] = result.content as Array<{ type: string; text: string }>;
    expect(JSON.parse(content.text)).toMatchObject({ generated: 20 });
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('SIGTERM received: draining');
    expect(server.output()).toContain('drained: exiting');
  }, 90_000);

  it('on SIGTERM under keep-alive load: the requests on open connections are answered, each connection told to close, exit 0', async () => {
    const port = await freePort();
    server = await startImage(port, { MCP_SESSION_MODE: 'stateless', MCP_SHUTDOWN_GRACE_SECONDS: '3' });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    const lost: string[] = [];
    let sigtermAt = 0;
    /**
     * One client on one keep-alive connection, sending back to back until an answer says
     * `Connection: close` — where, behind a load balancer, its next request goes to another
     * replica. Resolves with the number of answers it got after SIGTERM.
     */
    const client = async (): Promise<{ afterSigterm: number; toldToClose: boolean }> => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let afterSigterm = 0;
      try {
        for (;;) {
          const outcome = await new Promise<'again' | 'close' | 'failed'>((resolveSend) => {
            let wrote = false;
            const req = http.request(
              { host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers: { 'content-type': 'application/json', accept: MCP_ACCEPT } },
              (res) => {
                res.resume();
                res.on('end', () => {
                  if (sigtermAt) afterSigterm++;
                  resolveSend(res.headers.connection === 'close' ? 'close' : 'again');
                });
              },
            );
            req.on('finish', () => (wrote = true));
            req.on('error', (error: NodeJS.ErrnoException) => {
              if (wrote) lost.push(`${error.code ?? error.message} after sending, +${Date.now() - sigtermAt} ms from SIGTERM`);
              resolveSend('failed');
            });
            req.end(body);
          });
          if (outcome !== 'again') return { afterSigterm, toldToClose: outcome === 'close' };
        }
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: 8 }, () => client());
    await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
    sigtermAt = Date.now();
    server.child.kill('SIGTERM');
    const results = await Promise.all(clients);
    expect(await server.exited).toBe(0);
    expect(lost).toEqual([]);
    // Every client was answered through the drain and told to reconnect, none cut off.
    expect(results.every((result) => result.toldToClose)).toBe(true);
    expect(results.every((result) => result.afterSigterm >= 1)).toBe(true);
  }, 60_000);

  it('on SIGTERM closes an open SSE stream cleanly and exits 0', async () => {
    const port = await freePort();
    server = await startImage(port);
    const url = `http://127.0.0.1:${port}/mcp`;
    const initialized = await postRaw(url, INITIALIZE);
    const sessionId = initialized.headers.get('mcp-session-id')!;
    await initialized.text();
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    await (await postRaw(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();

    const stream = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();

    server.child.kill('SIGTERM');
    // A clean close ends the body (done) instead of failing the read with a reset.
    let done = false;
    while (!done) ({ done } = await reader.read());
    expect(await server.exited).toBe(0);
  }, 60_000);
});
