import type { ResponseMode, SessionMode } from '../config/app-config';

/** Options of {@link McpModule}; {@link McpModule.forRoot} fills the rest from defaults. */
export interface McpModuleOptions {
  /** Name and version in `initialize` answers. @default { name: 'mcp-platform', version: <package.json> } */
  serverInfo: { name: string; version: string };
  /** `stateful`: sessions with `Mcp-Session-Id`; `stateless`: every request stands alone. @default 'stateful' */
  sessionMode: SessionMode;
  /** Tool timeout when a tool declares none. @default 30000 */
  defaultToolTimeoutMs: number;
  /** JSON or SSE answers to POST; `auto` streams only calls that may notify. @default 'auto' */
  responseMode: ResponseMode;
  /** Host header values accepted on MCP routes; `*` accepts any. @default ['localhost', '127.0.0.1', '[::1]'] */
  allowedHosts: string[];
  /** Origins accepted besides those whose host is allowed. @default [] */
  allowedOrigins: string[];
  /** Largest request body in bytes. @default 1048576 */
  bodyLimitBytes: number;
  /** This replica's id, in contexts and logs. @default 'local' */
  nodeId: string;
  /** `retry:` (ms) in priming events of resumable streams: how soon clients reconnect. @default 1000 */
  retryIntervalMs: number;
  /** `instructions` sent to clients at initialize. */
  instructions?: string;
}
