import { ContentBlock, LoggingLevel } from './mcp-content.interface';
import type { McpDownstream } from './mcp-token-exchange.interface';

/** Who and what a request is about; built once per HTTP request at the protocol edge. */
export interface McpRequestContext {
  /** `X-Request-Id` of the HTTP request (taken from the client or generated). */
  readonly requestId: string;
  /** The MCP session, in stateful mode. */
  readonly sessionId?: string;
  /** The tenant the request acts for (path, credential binding or trusted gateway header). */
  readonly tenantId?: string;
  /** The end user, from the credential or a trusted gateway. */
  readonly userId?: string;
  /** The authenticated caller (`anonymous` with every permission when auth is off). */
  readonly principal?: { readonly id: string; readonly kind: string; readonly permissions: readonly string[] };
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
  /**
   * Asks the user for structured input through the client (`elicitation/create`, form mode).
   * Needs a session whose client declared the `elicitation` capability; accepted content is
   * validated against `requestedSchema`. Cancelled with the call (signal, timeout).
   */
  elicit(message: string, requestedSchema: ElicitationSchema, options?: McpAskOptions): Promise<ElicitationResult>;
  /**
   * Sends the user to a URL (`elicitation/create`, URL mode), for flows that must not pass
   * through the client (credentials, payments). Needs the client's `elicitation.url` capability.
   */
  elicitUrl(message: string, url: string, elicitationId?: string, options?: McpAskOptions): Promise<ElicitationResult>;
  /** Asks the client's model for a completion (`sampling/createMessage`); needs `sampling`. */
  sample(request: SamplingRequest, options?: McpAskOptions): Promise<SamplingResult>;
  /** The client's roots (`roots/list`); needs `roots`. */
  listRoots(options?: McpAskOptions): Promise<RootsResult>;
  /** Whether the client declared a capability (`elicitation`, `elicitation.url`, `sampling`, `roots`). */
  clientSupports(capability: string): boolean;
  /**
   * Ends this request's SSE stream now; later events are stored and the client resumes
   * with `Last-Event-ID` (SSE polling, SEP-1699). A no-op where the stream is not resumable.
   */
  closeStream(): void;
  /**
   * An access token to call a downstream API as the caller: the caller's own OAuth access
   * token exchanged at the authorization server (RFC 8693) for the tool's `onBehalfOf`
   * declaration, or for `downstream` when given. Cached until shortly before it expires.
   * Fails (a tool error) for API-key callers, without token exchange configured, or when the
   * authorization server refuses (its OAuth `error` code in the message).
   */
  tokenFor(downstream?: McpDownstream): Promise<string>;
}

/**
 * How an ask is named. With 2026-07-28 clients a tool that asks for input is answered
 * `input_required` and run again from the top with the answers (see extending.md, "Asking
 * the user"): each ask has a key, by default its kind and order (`elicit-0`, `sample-1`);
 * name it when the order can change between runs.
 */
export interface McpAskOptions {
  key?: string;
}

export interface RootsResult {
  roots: Array<{ uri: string; name?: string }>;
}

/** A flat JSON Schema object for elicitation: primitive properties only (MCP spec). */
export interface ElicitationSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  [key: string]: unknown;
}

export interface ElicitationResult {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, string | number | boolean | string[]>;
}

export interface SamplingMessage {
  role: 'user' | 'assistant';
  content: ContentBlock | ContentBlock[];
}

export interface SamplingRequest {
  messages: SamplingMessage[];
  maxTokens: number;
  systemPrompt?: string;
  temperature?: number;
  stopSequences?: string[];
  modelPreferences?: Record<string, unknown>;
  includeContext?: 'none' | 'thisServer' | 'allServers';
  metadata?: Record<string, unknown>;
}

export interface SamplingResult {
  role: 'user' | 'assistant';
  content: ContentBlock | ContentBlock[];
  model: string;
  stopReason?: string;
}
