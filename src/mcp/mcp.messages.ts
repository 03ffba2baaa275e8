/** Messages the protocol edge sends to clients; kept here so they stay consistent. */
export const McpMessages = {
  PARSE_ERROR: 'Parse error: the body is not valid JSON',
  INVALID_REQUEST: 'Invalid Request: the body is not a JSON-RPC 2.0 message or batch',
  EMPTY_BATCH: 'Invalid Request: empty batch',
  TOO_MANY_SESSIONS: (owner: string, limit: number) =>
    `Too Many Requests: ${owner} already holds ${limit} live sessions; end one (DELETE) or let one expire`,
  TOO_DEEP: (limit: number) => `Invalid Request: JSON nested deeper than ${limit} levels`,
  BATCH_TOO_LARGE: (size: number, limit: number) => `Invalid Request: a batch of ${size} messages is over the limit of ${limit}`,
  CLIENT_STATE_TOO_LARGE: (bytes: number, limit: number) =>
    `Invalid params: the client's capabilities and clientInfo take ${bytes} bytes, over the limit of ${limit}`,
  INITIALIZE_IN_BATCH: 'Invalid Request: initialize must not be part of a batch',
  SESSION_ID_REQUIRED: 'Bad Request: Mcp-Session-Id header is required',
  SESSION_NOT_FOUND: 'Session not found',
  DRAINING: 'Service unavailable: this replica is shutting down; retry (another replica will answer)',
  ACCEPT_BOTH: 'Not Acceptable: Client must accept both application/json and text/event-stream',
  ACCEPT_EVENT_STREAM: 'Not Acceptable: Client must accept text/event-stream',
  INVALID_LAST_EVENT_ID: 'Bad Request: unknown, expired or foreign Last-Event-ID',
  LEGACY_STREAM_GONE: 'Gone: the SSE stream of this session is closed; reconnect to /sse',
  STORE_UNAVAILABLE: (store: string) => `Service unavailable: the ${store} cannot be reached; retry shortly`,
  STATELESS_METHOD: 'Method not allowed: this server runs in stateless mode (no sessions, no standalone stream)',
  PAYLOAD_TOO_LARGE: (limit: number) => `Payload too large: the limit is ${limit} bytes`,
  INVALID_HOST: (host: string) => `Invalid Host: ${host}`,
  INVALID_ORIGIN: (origin: string) => `Invalid Origin: ${origin}`,
  UNKNOWN_TOOL: (name: string) => `Unknown tool: ${name}`,
  TOOL_FORBIDDEN: (name: string) => `Forbidden: you may not use the tool "${name}"`,
  TOOL_QUOTA_EXCEEDED: (name: string, limit: number, retryAfterSeconds: number) =>
    `Too Many Requests: tool "${name}" allows ${limit} calls per window; retry after ${retryAfterSeconds} s`,
  UNKNOWN_PROMPT: (name: string) => `Unknown prompt: ${name}`,
  RESOURCE_NOT_FOUND: (uri: string) => `Resource not found: ${uri}`,
  MISSING_PROMPT_ARGUMENTS: (name: string, missing: string[]) => `Prompt "${name}" needs argument(s): ${missing.join(', ')}`,
  INVALID_ARGUMENTS: (name: string, problems: string[]) =>
    `Invalid arguments for tool "${name}":\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
  TOOL_TIMEOUT: (name: string, ms: number) => `Tool "${name}" timed out after ${ms} ms`,
  TOOL_FAILED: (name: string, message: string) => `Tool "${name}" failed: ${message}`,
  MALFORMED_RESULT: (name: string, problem: string) => `Tool "${name}" returned a malformed result: ${problem}`,
  INVALID_OUTPUT: (name: string, problems: string[]) => `Tool "${name}" returned a result that does not match its output schema: ${problems.join('; ')}`,
} as const;
