// Boots each entry point of this example as its own process and calls its tools with the
// MCP SDK's client over real HTTP. Run with `npm test` (builds first).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `node <entry>` on a free port and waits until `readyPath` answers. */
async function start(entry, readyPath, env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(base + readyPath).then(
      (response) => response.status < 500,
      () => false,
    );
    if (ok) break;
    if (attempt > 300) throw new Error(`${entry} did not answer ${readyPath}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function connect(url, headers = {}) {
  const client = new Client({ name: 'weather-example-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** What every entry point must serve: the zod tool, the DTO tool, the resource and the prompt. */
async function exercise(client) {
  const { tools } = await client.listTools();
  assert.ok(tools.some((tool) => tool.name === 'forecast'));
  assert.ok(tools.some((tool) => tool.name === 'today'));

  const forecast = await client.callTool({ name: 'forecast', arguments: { city: 'Paris', days: 2 } });
  assert.equal(forecast.isError, undefined);
  assert.deepEqual(JSON.parse(forecast.content[0].text), { city: 'Paris', days: [21, 22] });

  const invalid = await client.callTool({ name: 'forecast', arguments: { city: '', days: 9 } });
  assert.equal(invalid.isError, true);
  assert.match(invalid.content[0].text, /days/);

  const unknown = await client.callTool({ name: 'forecast', arguments: { city: 'Atlantis' } });
  assert.equal(unknown.isError, true);
  assert.match(unknown.content[0].text, /No forecast for Atlantis/);

  const today = await client.callTool({ name: 'today', arguments: { city: 'Lisbon', unit: 'fahrenheit' } });
  assert.equal(today.content[0].text, '75 °F');
  const badUnit = await client.callTool({ name: 'today', arguments: { city: 'Lisbon', unit: 'kelvin' } });
  assert.equal(badUnit.isError, true);
  assert.match(badUnit.content[0].text, /unit/);

  const resource = await client.readResource({ uri: 'weather://Berlin/today' });
  assert.deepEqual(JSON.parse(resource.contents[0].text), { city: 'Berlin', celsius: 18 });

  const prompt = await client.getPrompt({ name: 'plan', arguments: { city: 'Lisbon' } });
  assert.match(prompt.messages[0].content.text, /trip to Lisbon/);
}

describe('a plain Nest app with McpModule.forRoot() (Express, body parser on)', () => {
  let app;
  before(async () => (app = await start('dist/main.js', '/hello')));
  after(async () => app?.stop());

  it('serves its own tools, resource and prompt at /mcp', async () => {
    const client = await connect(`${app.base}/mcp`);
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  });

  it("leaves the app's own routes alone", async () => {
    const response = await fetch(`${app.base}/hello`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { hello: 'world' });
  });

  it('answers bad JSON with a JSON-RPC parse error, not the body parser’s', async () => {
    const response = await fetch(`${app.base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{not json',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, -32700);
  });
});

describe('McpModule.forRootAsync() with AuthModule, on Fastify, under a global prefix', () => {
  const key = randomBytes(24).toString('hex');
  let app;
  before(async () => {
    app = await start('dist/async.main.js', '/api/hello', { MCP_API_KEY_HASH: `sha256:${createHash('sha256').update(key).digest('hex')}` });
  });
  after(async () => app?.stop());

  it('serves MCP at /api/mcp, statelessly, to a client with the key', async () => {
    const client = await connect(`${app.base}/api/mcp`, { 'x-api-key': key });
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  });

  it('guards the MCP routes only: no key is 401 on /api/mcp, and /api/hello still answers', async () => {
    const refused = await fetch(`${app.base}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /Bearer/);
    const hello = await fetch(`${app.base}/api/hello`);
    assert.equal(hello.status, 200);
  });

  it('has nothing outside the prefix', async () => {
    const response = await fetch(`${app.base}/mcp`, { method: 'POST' });
    assert.equal(response.status, 404);
  });
});

describe('the whole platform plus the weather module (bootstrapPlatform)', () => {
  let app;
  before(async () => (app = await start('dist/platform.main.js', '/health/live')));
  after(async () => app?.stop());

  it('serves the weather tools beside the built-in packs', async () => {
    const client = await connect(`${app.base}/mcp`);
    try {
      await exercise(client);
      const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepEqual(sum.structuredContent, { result: 5 });
    } finally {
      await client.close();
    }
  });

  it('is ready, with its probes', async () => {
    assert.equal((await fetch(`${app.base}/health/ready`)).status, 200);
  });
});
