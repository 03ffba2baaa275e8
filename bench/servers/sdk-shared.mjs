// What the two SDK baselines share: the `echo` tool as the SDK's docs declare one, the
// documented 500 answer, and listening on PORT/HOST.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export function createEchoServer(name) {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Echo a message back',
      inputSchema: { message: z.string().describe('Message to echo') },
    },
    async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  return server;
}

export function internalError(res, error) {
  console.error('Error handling MCP request:', error);
  if (!res.headersSent) {
    res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
  }
}

export function listen(app) {
  app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', (error) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
  });
  process.on('SIGTERM', () => process.exit(0));
}
