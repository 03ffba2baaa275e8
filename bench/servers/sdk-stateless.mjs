// Baseline 2: the SDK's documented stateless pattern (examples/server/
// simpleStatelessStreamableHttp.ts, docs/server.md), on Express via createMcpExpressApp():
// a new McpServer and a new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
// per request, here with enableJsonResponse: true, and one `echo` tool declared with zod.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';

const getServer = () => {
  const server = new McpServer({ name: 'sdk-stateless-bench', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Echo a message back',
      inputSchema: { message: z.string().describe('Message to echo') },
    },
    async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  return server;
};

const app = createMcpExpressApp({ host: '127.0.0.1' });

app.post('/mcp', async (req, res) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (error) {
    console.error('Error handling MCP request:', error);
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
    }
  }
});

app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', (error) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
});
process.on('SIGTERM', () => process.exit(0));
