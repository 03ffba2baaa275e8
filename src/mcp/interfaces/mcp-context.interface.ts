import { LoggingLevel } from './mcp-content.interface';

/** Who and what a request is about; built once per HTTP request at the protocol edge. */
export interface McpRequestContext {
  /** `X-Request-Id` of the HTTP request (taken from the client or generated). */
  readonly requestId: string;
  /** The MCP session, in stateful mode. */
  readonly sessionId?: string;
  /** The tenant the request acts for (path, credential binding or trusted gateway header). */
  readonly tenantId?: string;
  /** The end user, when a trusted gateway names one. */
  readonly userId?: string;
  /** Request headers, lower-cased names. Secrets are not masked here: mask before showing. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** This replica's node id. */
  readonly nodeId: string;
  /** `performance.now()` when the HTTP request arrived. */
  readonly receivedAt: number;
  /** Client name and version from `initialize`, when a session holds them. */
  readonly client?: { name: string; version: string };
  /** Negotiated protocol version, when known. */
  readonly protocolVersion?: string;
}

/** The context a tool, resource or prompt method receives through `@McpCtx()`. */
export interface McpToolContext extends McpRequestContext {
  /** Name of the tool, prompt or resource URI being served. */
  readonly target: string;
  /** Aborted when the client cancels, the request's connection closes or the timeout expires. */
  readonly signal: AbortSignal;
  /**
   * Reports progress to the client (`notifications/progress`) when it asked for it with a
   * progress token; a no-op otherwise.
   */
  progress(done: number, total?: number, message?: string): Promise<void>;
  /**
   * Sends a log message to the client (`notifications/message`) when `level` is at or above
   * the level the session set with `logging/setLevel`.
   */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
}
