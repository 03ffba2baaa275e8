// Baseline 1: a raw node:http JSON-RPC responder. It reads the body, parses it and answers
// a tools/call of an echo-like tool with a fixed-shape JSON-RPC result carrying the
// request's id — the floor any MCP server on Node pays (HTTP parsing, JSON in and out).
import http from 'node:http';

const PARSE_ERROR = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}';

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(PARSE_ERROR);
      return;
    }
    const text = typeof message?.params?.arguments?.message === 'string' ? message.params.arguments.message : '';
    const body = JSON.stringify({ result: { content: [{ type: 'text', text }] }, jsonrpc: '2.0', id: message?.id ?? null });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
