// Baseline 2: the SDK's documented stateless pattern (examples/server/
// simpleStatelessStreamableHttp.ts, docs/server.md), on Express via createMcpExpressApp():
// a new McpServer and a new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
// per request, here with enableJsonResponse: true, and one `echo` tool declared with zod.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { createEchoServer, internalError, listen } from './sdk-shared.mjs';

const app = createMcpExpressApp({ host: '127.0.0.1' });

app.post('/mcp', async (req, res) => {
  const server = createEchoServer('sdk-stateless-bench');
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (error) {
    internalError(res, error);
  }
});

listen(app);
