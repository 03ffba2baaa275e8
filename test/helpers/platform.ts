import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';

export interface RunningPlatform {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `${baseUrl}/mcp` */
  mcpUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real platform on a free loopback port with the embedded defaults, the given
 * config overrides and extra modules. The process environment is not read, so a developer's
 * variables cannot change what a test sees.
 */
export async function startPlatform(
  overrides: Record<string, unknown> = {},
  imports: ModuleMetadata['imports'] = [],
  listenHost = '127.0.0.1',
): Promise<RunningPlatform> {
  const config = loadConfig({
    env: {},
    // The audit trail would write to Jest's stdout: off unless a test configures it.
    overrides: { nodeId: 'test-node', logging: { level: 'silent' }, audit: { enabled: false }, ...overrides },
  });
  const app = await createApp(config, { imports });
  await app.listen(0, listenHost);
  const port = new URL(await app.getUrl()).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { app, baseUrl, mcpUrl: `${baseUrl}/mcp`, close: () => app.close() };
}

export interface ConnectedClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

/** An SDK client connected over Streamable HTTP. */
export async function connectClient(
  url: string,
  options: { headers?: Record<string, string>; capabilities?: Record<string, unknown> } = {},
): Promise<ConnectedClient> {
  const client = new Client({ name: 'e2e-client', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: options.headers ?? {} },
  });
  await client.connect(transport);
  return { client, transport };
}

export const MCP_ACCEPT = 'application/json, text/event-stream';

/** A raw JSON-RPC POST (for what an SDK client never sends). */
export async function postRaw(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The JSON-RPC messages of a response, whether it came as JSON or as SSE. */
export async function readMessages(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return text
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.length > 'data: '.length)
      .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
  }
  if (text === '') return [];
  const parsed = JSON.parse(text) as Record<string, unknown> | Array<Record<string, unknown>>;
  return Array.isArray(parsed) ? parsed : [parsed];
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** The JSON body of a response, typed by the caller. */
export async function jsonOf<T = { jsonrpc: string; id: unknown; error: { code: number; message: string } }>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
