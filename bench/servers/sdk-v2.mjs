// Baseline: the MCP TypeScript SDK v2 (`@modelcontextprotocol/server`) documented stateless
// server for revision 2026-07-28 (docs/serving/http.md, "Create a handler" and "Mount it on
// your runtime"): createMcpHandler(factory) with a factory returning a new McpServer per
// request, the `echo` tool declared with a zod object, default options (legacy: 'stateless',
// responseMode: 'auto' — a single JSON body unless the tool emits a notification first). A
// 2025-era call without the `_meta` envelope is also answered, without initialize, by the
// default stateless legacy fallback — as SSE (that fallback does not set enableJsonResponse).
// The docs mount it on plain node:http with toNodeHandler() and the localhost Host/Origin
// guards from @modelcontextprotocol/node, which is not installed here: the few lines below do
// the same — the guards with the web-standard hostHeaderValidationResponse /
// originValidationResponse from @modelcontextprotocol/server, and the Node ↔ fetch bridge as
// toNodeHandler/toWebRequest do it (headers copied, body read as text, Response streamed back).
import http from 'node:http';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  McpServer,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'sdk-v2-bench', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Echo a message back',
      inputSchema: z.object({ message: z.string().describe('Message to echo') }),
    },
    async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  return server;
});

const allowedHostnames = localhostAllowedHostnames();
const allowedOrigins = localhostAllowedOrigins();

/** Node IncomingMessage → web Request (as toWebRequest() in @modelcontextprotocol/node). */
async function toWebRequest(req, signal) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  let body;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    if (chunks.length > 0) body = Buffer.concat(chunks).toString('utf8');
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method, headers, body, signal });
}

const server = http.createServer(async (req, res) => {
  let finished = false;
  const abort = new AbortController();
  res.on('close', () => finished || abort.abort());
  let response;
  try {
    const request = await toWebRequest(req, abort.signal);
    response =
      hostHeaderValidationResponse(request, allowedHostnames) ?? originValidationResponse(request, allowedOrigins) ?? (await handler.fetch(request));
  } catch (error) {
    console.error('Error handling MCP request:', error);
    response = Response.json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null }, { status: 500 });
  }
  // Web Response → Node ServerResponse, streaming the body (as toNodeHandler() does).
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body !== null) {
    try {
      for await (const chunk of response.body) {
        if (abort.signal.aborted) break;
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
    } catch {
      // Stream aborted upstream.
    }
  }
  finished = true;
  res.end();
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
