import type { Type } from '@nestjs/common';
import type { ZodType } from 'zod';
import type { McpToolContext } from './mcp-context.interface';
import type { McpDownstream } from './mcp-token-exchange.interface';

/** A JSON Schema object given as is (`type: 'object'`), validated with Ajv (2020-12). */
export interface McpJsonSchemaInput {
  type: 'object';
  [keyword: string]: unknown;
}

/** A tool's input: a zod object schema, a class-validator DTO class or a JSON Schema object. */
export type McpInputSchema = ZodType | Type<object> | McpJsonSchemaInput;

/** Behaviour hints for clients (MCP `ToolAnnotations`). */
export interface McpToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface McpToolOptions {
  /** Tool name; defaults to the method name. */
  name?: string;
  title?: string;
  /** What the tool does, for the model. Required. */
  description: string;
  /** Arguments schema; omitted means the tool takes no arguments. */
  input?: McpInputSchema;
  /** Result schema (zod object): results are validated and sent as `structuredContent` too. */
  output?: ZodType;
  annotations?: McpToolAnnotations;
  /** Permissions a caller needs; default `["<pack>:<tool>"]`. Must not be empty when given. */
  permissions?: string[];
  /** Per-call time limit; default `mcp.defaultToolTimeoutMs`. */
  timeoutMs?: number;
  /** Calls per caller per window for this tool, on top of the caller's overall limit (429 past it). */
  rateLimit?: { limit: number; ttlSeconds: number };
  /**
   * The downstream API the tool calls as its caller: `ctx.tokenFor()` exchanges the caller's
   * OAuth access token for one with this `audience` / `resource` and `scopes` (RFC 8693).
   */
  onBehalfOf?: McpDownstream;
}

/** Completes one argument of a prompt or one variable of a resource template. */
export type McpCompleter = (value: string, context: { arguments: Record<string, string> }) => string[] | Promise<string[]>;

export interface McpResourceOptions {
  /** A fixed URI (`config://app`); give this or `uriTemplate`. */
  uri?: string;
  /** An RFC 6570 level-1 template (`notes://{tenant}/{id}`); variables reach the method. */
  uriTemplate?: string;
  /** Short name shown in lists. Required. */
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** Completions for template variables, by variable name. */
  complete?: Record<string, McpCompleter>;
}

export interface McpPromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export interface McpPromptOptions {
  /** Prompt name; defaults to the method name. */
  name?: string;
  title?: string;
  /** What the prompt is for. Required. */
  description: string;
  arguments?: McpPromptArgument[];
  /** Completions for arguments, by argument name. */
  complete?: Record<string, McpCompleter>;
}

/** Signature of a tool method when no parameter decorators are used. */
export type McpToolMethod<I = Record<string, unknown>> = (input: I, context: McpToolContext) => unknown;
