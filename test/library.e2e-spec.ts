import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { AuthModule, McpModule, McpTool, McpToolContext } from '../src';
import { generateApiKey } from '../src/auth/api-key.generator';
import { MCP_ACCEPT, postRaw } from './helpers/platform';
import { waitFor } from './helpers/processes';

@Injectable()
class HostTools {
  static started = 0;

  @McpTool({ description: 'Greets someone', input: z.object({ name: z.string() }) })
  greet({ name }: { name: string }) {
    return `Hello, ${name}`;
  }

  @McpTool({ description: 'Answers when told to', input: z.object({ ms: z.number().int() }) })
  async slowly({ ms }: { ms: number }, context: McpToolContext) {
    HostTools.started += 1;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return `done after ${ms} ms for ${context.requestId ? 'a request' : 'nobody'}`;
  }
}

@Controller('hello')
class HelloController {
  @Get()
  hello() {
    return { hello: 'world' };
  }
}

@Module({ providers: [HostTools] })
class HostToolsModule {}

async function client(url: URL, transport: 'streamable' | 'sse' = 'streamable', headers: Record<string, string> = {}): Promise<Client> {
  const sdk = new Client({ name: 'library-e2e', version: '1.0.0' });
  const requestInit = { headers };
  await sdk.connect(
    transport === 'sse'
      ? new SSEClientTransport(url, {
          requestInit,
          eventSourceInit: { fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
        })
      : new StreamableHTTPClientTransport(url, { requestInit }),
  );
  return sdk;
}

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
}

/** McpModule in a host app as the host made it: its body parser on, its own prefix, its own routes. */
describe.each(['express', 'fastify'] as const)('McpModule in a host app (%s, body parser on, global prefix)', (adapter) => {
  const credential = generateApiKey();
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    @Module({
      imports: [
        McpModule.forRootAsync({ useFactory: () => ({ path: '/rpc', nodeId: `host-${adapter}` }) }),
        AuthModule.forRoot({ apiKeys: [{ id: 'host', hash: credential.hash, permissions: ['*'] }] }),
        HostToolsModule,
      ],
      controllers: [HelloController],
    })
    class HostAppModule {}
    app =
      adapter === 'fastify'
        ? await NestFactory.create(HostAppModule, new FastifyAdapter(), { logger: false })
        : await NestFactory.create(HostAppModule, { logger: false });
    app.setGlobalPrefix('api');
    base = await listen(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  const auth = () => ({ 'x-api-key': credential.key });

  it('serves Streamable HTTP at the prefixed path it was given', async () => {
    const sdk = await client(new URL(`${base}/api/rpc`), 'streamable', auth());
    try {
      expect(await sdk.callTool({ name: 'greet', arguments: { name: 'Ada' } })).toMatchObject({ content: [{ type: 'text', text: 'Hello, Ada' }] });
    } finally {
      await sdk.close();
    }
  });

  it('serves the legacy SSE transport under the prefix, and the message path it advertises works', async () => {
    const sdk = await client(new URL(`${base}/api/sse`), 'sse', auth());
    try {
      expect(await sdk.callTool({ name: 'greet', arguments: { name: 'Grace' } })).toMatchObject({ content: [{ text: 'Hello, Grace' }] });
    } finally {
      await sdk.close();
    }
  });

  it('serves the tenant form under the prefix too', async () => {
    const sdk = await client(new URL(`${base}/api/tenants/acme/sse`), 'sse', auth());
    try {
      expect(await sdk.callTool({ name: 'greet', arguments: { name: 'Linus' } })).toMatchObject({ content: [{ text: 'Hello, Linus' }] });
    } finally {
      await sdk.close();
    }
  });

  it('answers malformed JSON with -32700 although the host parses JSON bodies', async () => {
    const response = await fetch(`${base}/api/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...auth() },
      body: '{"jsonrpc":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('guards the MCP routes and nothing else', async () => {
    const refused = await postRaw(`${base}/api/rpc`, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(refused.status).toBe(401);
    await refused.text();
    const hello = await fetch(`${base}/api/hello`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: 'world' });
  });

  it('has no MCP route outside the prefix or at the default path', async () => {
    for (const path of ['/rpc', '/mcp', '/api/mcp', '/sse']) {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: '{}' });
      expect(`${path} ${response.status}`).toBe(`${path} 404`);
    }
  });
});

describe('the drain on shutdown, as a hook of McpModule', () => {
  it('lets an in-flight tool call finish when the host app closes', async () => {
    @Module({ imports: [McpModule.forRoot({ sessionMode: 'stateless', drainTimeoutMs: 10_000 }), HostToolsModule] })
    class DrainAppModule {}
    const app = await NestFactory.create(DrainAppModule, { logger: false });
    const base = await listen(app);
    const before = HostTools.started;
    const call = postRaw(`${base}/mcp`, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slowly', arguments: { ms: 700 } } });
    await waitFor(() => HostTools.started > before, 5000, 'the call to start');
    const closed = app.close();
    const response = await call;
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('done after 700 ms');
    await closed;
  });
});
