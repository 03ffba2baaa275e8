// Baseline 3: the SDK's documented stateful pattern (examples/server/simpleStreamableHttp.ts,
// docs/server.md), on Express via createMcpExpressApp(): one McpServer and one
// StreamableHTTPServerTransport per session, kept in a map by Mcp-Session-Id, answers as SSE.
// The "best peer" (SDK stateful, one session): the platform's Express rows are
// compared with it. The same `echo` tool as the stateless baseline.
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createEchoServer, internalError, listen } from './sdk-shared.mjs';

const transports = new Map();
const app = createMcpExpressApp({ host: '127.0.0.1' });

app.post('/mcp', async (req, res) => {
  try {
    const sessionId = req.headers['mcp-session-id'];
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport && !sessionId && isInitializeRequest(req.body)) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
      await createEchoServer('sdk-stateful-bench').connect(transport);
    }
    if (!transport) {
      res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
      return;
    }
    await transport.handleRequest(req, res, req.body);
  } catch (error) {
    internalError(res, error);
  }
});

listen(app);
