import { randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { JSONRPC_ERROR, MCP_MODULE_OPTIONS } from '../mcp.constants';
import { McpProtocolError, McpToolError } from '../mcp.exception';
import { McpMessages } from '../mcp.messages';
import type { McpModuleOptions } from '../mcp-module-options.interface';
import { McpHandler, McpRegistry } from '../discovery/mcp.registry';
import type { CompiledSchema } from '../discovery/schema/input-schema';
import { McpInputRequest, McpInputRequiredSignal } from './mcp-input';
import type { ElicitationResult, McpRequestContext, McpToolContext, RootsResult, SamplingResult } from '../interfaces/mcp-context.interface';
import { jsonSchemaValidator } from '../discovery/schema/json-schema.validator';
import { MCP_TOKEN_EXCHANGE, McpDownstream, McpTokenExchange } from '../interfaces/mcp-token-exchange.interface';
import {
  ContentBlock,
  LOGGING_LEVELS,
  LoggingLevel,
  PromptMessage,
  PromptResult,
  ResourceContents,
  ResourceResult,
  ToolResult,
} from '../interfaces/mcp-content.interface';

/** What the protocol edge gives a call: who asks, how to reach the client, when to stop. */
export interface McpCallEnvironment {
  readonly request: McpRequestContext;
  /** Aborted when the client cancels or its connection closes. */
  readonly signal: AbortSignal;
  readonly progressToken?: string | number;
  /** The session's `logging/setLevel`; every level is sent when unset. */
  readonly logLevel?: LoggingLevel;
  /** Sends a notification related to this request (on its stream). */
  notify(method: string, params: Record<string, unknown>): Promise<void>;
  /** Capabilities the client declared at initialize (none without a session). */
  readonly clientCapabilities?: Record<string, unknown>;
  /**
   * Sends a request to the client on this request's stream and returns its validated
   * result; absent where the client cannot answer (stateless mode).
   */
  requestClient?(method: McpInputRequest['method'], params: Record<string, unknown>, signal: AbortSignal, key?: string): Promise<Record<string, unknown>>;
  /** Ends this request's SSE stream early (resumable streams only). */
  closeStream?(): void;
  /** A later round of a multi-round call (2026-07-28): its first round was counted already. */
  readonly continuation?: boolean;
  /** The error for an ask the client declared no capability for (a tool error by default). */
  missingCapability?(capability: string, message: string): Error;
}

export interface CompletionRef {
  type: 'ref/prompt' | 'ref/resource';
  name?: string;
  uri?: string;
}

export interface CompletionResult {
  values: string[];
  total?: number;
  hasMore?: boolean;
}

const MAX_COMPLETIONS = 100;

class TimeoutError extends Error {}

/**
 * Runs tools, resources and prompts for the protocol edge: validation, context, timeout,
 * and the mapping of whatever a method returns or throws to MCP results. Knows nothing of
 * the SDK, so a second protocol edge can reuse it.
 */
@Injectable()
export class McpExecutor {
  private readonly logger = new Logger(McpExecutor.name);

  constructor(
    private readonly registry: McpRegistry,
    @Inject(MCP_MODULE_OPTIONS) private readonly options: McpModuleOptions,
    @Optional() @Inject(MCP_TOKEN_EXCHANGE) private readonly tokens?: McpTokenExchange,
  ) {}

  async callTool(name: string, args: unknown, env: McpCallEnvironment): Promise<ToolResult> {
    const tool = this.registry.getTool(name);
    if (!tool) throw new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, McpMessages.UNKNOWN_TOOL(name));

    const parsed = await tool.input.parse(args ?? {});
    if (!parsed.ok) return errorResult(McpMessages.INVALID_ARGUMENTS(name, parsed.problems));

    const timeoutMs = tool.timeoutMs ?? this.options.defaultToolTimeoutMs;
    try {
      const value = await this.run(tool.handler, name, parsed.value, env, timeoutMs, tool.onBehalfOf);
      return await this.toToolResult(name, value, tool.output);
    } catch (error) {
      if (error instanceof TimeoutError) return errorResult(McpMessages.TOOL_TIMEOUT(name, timeoutMs));
      // Not failures of the tool: a protocol error it chose, or a pause for the client's input.
      if (error instanceof McpProtocolError || error instanceof McpInputRequiredSignal) throw error;
      return errorResult(this.describeFailure(name, error, env));
    }
  }

  async readResource(uri: string, env: McpCallEnvironment): Promise<ResourceResult> {
    const resolved = this.registry.resolveResource(uri);
    if (!resolved) throw new McpProtocolError(JSONRPC_ERROR.RESOURCE_NOT_FOUND, McpMessages.RESOURCE_NOT_FOUND(uri), { uri });
    const { resource, variables } = resolved;
    const value = await this.runOrProtocolError(resource.handler, uri, variables, env);
    return { contents: toResourceContents(value, uri, resource.definition.mimeType) };
  }

  async getPrompt(name: string, args: Record<string, string> | undefined, env: McpCallEnvironment): Promise<PromptResult> {
    const prompt = this.registry.getPrompt(name);
    if (!prompt) throw new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, McpMessages.UNKNOWN_PROMPT(name));
    const given = args ?? {};
    const missing = (prompt.definition.arguments ?? [])
      .filter((argument) => argument.required && (given[argument.name] === undefined || given[argument.name] === ''))
      .map((argument) => argument.name);
    if (missing.length > 0) {
      throw new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, McpMessages.MISSING_PROMPT_ARGUMENTS(name, missing));
    }
    const value = await this.runOrProtocolError(prompt.handler, name, given, env);
    return toPromptResult(value);
  }

  async complete(ref: CompletionRef, argument: { name: string; value: string }, contextArguments: Record<string, string> = {}): Promise<CompletionResult> {
    const completer =
      ref.type === 'ref/prompt'
        ? this.registry.getPrompt(ref.name ?? '')?.complete[argument.name]
        : this.registry.getResourceTemplate(ref.uri ?? '')?.complete[argument.name];
    if (!completer) return { values: [], hasMore: false };
    const values = (await completer(argument.value, { arguments: contextArguments })).map(String);
    return { values: values.slice(0, MAX_COMPLETIONS), total: values.length, hasMore: values.length > MAX_COMPLETIONS };
  }

  private async runOrProtocolError(handler: McpHandler, target: string, input: unknown, env: McpCallEnvironment) {
    try {
      return await this.run(handler, target, input, env, this.options.defaultToolTimeoutMs);
    } catch (error) {
      if (error instanceof McpProtocolError || error instanceof McpInputRequiredSignal) throw error;
      const message = error instanceof TimeoutError ? `timed out after ${this.options.defaultToolTimeoutMs} ms` : this.describeFailure(target, error, env);
      throw new McpProtocolError(JSONRPC_ERROR.INTERNAL_ERROR, message);
    }
  }

  /**
   * Calls a handler with a context whose signal aborts on cancel, disconnect or timeout.
   * The signal is made only when the method reads it: most never do, and an
   * AbortController per call is a measurable share of a fast tool's cost.
   */
  private run(
    handler: McpHandler,
    target: string,
    input: unknown,
    env: McpCallEnvironment,
    timeoutMs: number,
    onBehalfOf?: McpDownstream,
  ): Promise<unknown> {
    let controller: AbortController | undefined;
    let timedOut: TimeoutError | undefined;
    const onClientAbort = () => controller!.abort(env.signal.reason);
    const signal = () => {
      if (controller) return controller.signal;
      controller = new AbortController();
      if (timedOut) controller.abort(timedOut);
      else if (env.signal.aborted) controller.abort(env.signal.reason);
      else env.signal.addEventListener('abort', onClientAbort, { once: true });
      return controller.signal;
    };
    let finished = false;
    const tokenFor = async (downstream: McpDownstream | undefined) => {
      const wanted = downstream ?? onBehalfOf;
      if (!wanted) throw new McpToolError(McpMessages.NO_DOWNSTREAM(target));
      if (!this.tokens) throw new McpToolError(McpMessages.TOKEN_EXCHANGE_UNAVAILABLE);
      return this.tokens.tokenFor(env.request, wanted);
    };
    const context = createContext(target, env, signal, () => finished, tokenFor);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        timedOut = new TimeoutError(`timed out after ${timeoutMs} ms`);
        controller?.abort(timedOut);
        reject(timedOut);
      }, timeoutMs);
      const settle = () => {
        finished = true;
        clearTimeout(timer);
        if (controller) env.signal.removeEventListener('abort', onClientAbort);
      };
      let pending: unknown;
      try {
        pending = handler(input, context);
      } catch (error) {
        settle();
        return reject(error);
      }
      Promise.resolve(pending).then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  private async toToolResult(name: string, value: unknown, output: CompiledSchema | undefined): Promise<ToolResult> {
    if (isToolResult(value)) {
      // Checked here so a tool's bad result is a tool error (isError) with a plain message,
      // not the SDK's -32602 "invalid params" with a schema dump, nor a value that cannot be
      // written to the wire (a BigInt in structuredContent left the request unanswered).
      const problem = toolResultProblem(value);
      return problem === undefined ? value : errorResult(McpMessages.MALFORMED_RESULT(name, problem));
    }
    try {
      if (output) {
        const checked = await output.parse(value);
        if (!checked.ok) return errorResult(McpMessages.INVALID_OUTPUT(name, checked.problems));
        const structured = checked.value as Record<string, unknown>;
        return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
      }
      return { content: toContent(value) };
    } catch (error) {
      // Circular structures, BigInts nested in objects.
      return errorResult(McpMessages.MALFORMED_RESULT(name, firstLine(error)));
    }
  }

  private describeFailure(target: string, error: unknown, env: McpCallEnvironment): string {
    if (error instanceof McpToolError) return error.message;
    if (error instanceof HttpException) return error.message;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn({
      msg: 'tool method threw',
      target,
      requestId: env.request.requestId,
      sessionId: env.request.sessionId,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : message,
    });
    return McpMessages.TOOL_FAILED(target, message);
  }
}

function createContext(
  target: string,
  env: McpCallEnvironment,
  signalOf: () => AbortSignal,
  isFinished: () => boolean,
  tokenFor: (downstream?: McpDownstream) => Promise<string>,
): McpToolContext {
  const threshold = env.logLevel ? LOGGING_LEVELS.indexOf(env.logLevel) : 0;
  return {
    ...env.request,
    target,
    get signal() {
      return signalOf();
    },
    async progress(done, total, message) {
      if (env.progressToken === undefined || isFinished()) return;
      await env.notify('notifications/progress', {
        progressToken: env.progressToken,
        progress: done,
        ...(total !== undefined && { total }),
        ...(message !== undefined && { message }),
      });
    },
    async log(level, data, logger) {
      if (isFinished() || LOGGING_LEVELS.indexOf(level) < threshold) return;
      await env.notify('notifications/message', { level, data, ...(logger !== undefined && { logger }) });
    },
    clientSupports: (capability) => hasCapability(env.clientCapabilities, capability),
    async elicit(message, requestedSchema, options) {
      requireCapability(env, 'elicitation', 'elicitation');
      if (!hasCapability(env.clientCapabilities, 'elicitation.form') && hasCapability(env.clientCapabilities, 'elicitation.url')) {
        throw new McpToolError('The client supports only URL-mode elicitation');
      }
      const result = (await env.requestClient!(
        'elicitation/create',
        { mode: 'form', message, requestedSchema },
        signalOf(),
        options?.key,
      )) as unknown as ElicitationResult;
      if (result.action === 'accept' && result.content) {
        const problems = jsonSchemaValidator.problems(requestedSchema, result.content);
        if (problems.length > 0) {
          throw new McpToolError(`The client's answer does not match the requested schema: ${problems.join('; ')}`);
        }
      }
      return result;
    },
    async elicitUrl(message, url, elicitationId = randomUUID(), options) {
      requireCapability(env, 'elicitation.url', 'URL-mode elicitation');
      return (await env.requestClient!(
        'elicitation/create',
        { mode: 'url', message, url, elicitationId },
        signalOf(),
        options?.key,
      )) as unknown as ElicitationResult;
    },
    async sample(request, options) {
      requireCapability(env, 'sampling', 'sampling');
      return (await env.requestClient!('sampling/createMessage', { ...request }, signalOf(), options?.key)) as unknown as SamplingResult;
    },
    async listRoots(options) {
      requireCapability(env, 'roots', 'roots');
      return (await env.requestClient!('roots/list', {}, signalOf(), options?.key)) as unknown as RootsResult;
    },
    closeStream() {
      env.closeStream?.();
    },
    tokenFor,
  };
}

/** `elicitation.form` is implied by a bare `elicitation: {}` (spec 2025-11-25). */
function hasCapability(capabilities: Record<string, unknown> | undefined, path: string): boolean {
  const [head, sub] = path.split('.', 2);
  const top = capabilities?.[head];
  if (top === undefined || top === null) return false;
  if (sub === undefined) return true;
  const nested = top as Record<string, unknown>;
  if (nested[sub] !== undefined) return true;
  return head === 'elicitation' && sub === 'form' && Object.keys(nested).length === 0;
}

function requireCapability(env: McpCallEnvironment, capability: string, what: string): void {
  if (!env.requestClient) throw new McpToolError(`${what} needs a session: this server runs without sessions (stateless mode)`);
  if (!hasCapability(env.clientCapabilities, capability)) {
    const message = `The client does not support ${what} (it did not declare the "${capability}" capability)`;
    throw env.missingCapability?.(capability, message) ?? new McpToolError(message);
  }
}

function errorResult(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function isToolResult(value: unknown): value is ToolResult {
  return typeof value === 'object' && value !== null && Array.isArray((value as ToolResult).content);
}

function toContent(value: unknown): ContentBlock[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return [{ type: 'text', text: String(value) }];
  }
  const text = JSON.stringify(value, null, 2) as string | undefined;
  if (text === undefined) throw new TypeError(`a ${typeof value} has no JSON form`);
  return [{ type: 'text', text }];
}

/** A field a content block must carry: its name, its test, what the message says it must be. */
type FieldCheck = [field: string, valid: (value: unknown) => boolean, expected: string];

const isString = (value: unknown) => typeof value === 'string';
const base64: FieldCheck = ['data', isString, 'a base64 string'];
const mimeType: FieldCheck = ['mimeType', isString, 'a string'];

/** What each content type must carry (spec 2025-11-25), as the SDK checks it after the tool. */
const CONTENT_FIELDS = new Map<unknown, FieldCheck[]>([
  ['text', [['text', isString, 'a string']]],
  ['image', [base64, mimeType]],
  ['audio', [base64, mimeType]],
  [
    'resource',
    [['resource', (value) => isObject(value) && isString(value.uri) && (isString(value.text) || isString(value.blob)), 'a uri and a text or blob']],
  ],
  [
    'resource_link',
    [
      ['uri', isString, 'a string'],
      ['name', isString, 'a string'],
    ],
  ],
]);

/** Why a value shaped like a tool result is not one, or undefined when it is. */
function toolResultProblem(result: ToolResult): string | undefined {
  for (const [index, block] of (result.content as unknown[]).entries()) {
    if (!isObject(block)) return `content[${index}] is not an object`;
    const fields = CONTENT_FIELDS.get(block.type);
    if (!fields) return `content[${index}].type must be one of ${[...CONTENT_FIELDS.keys()].join(', ')}`;
    for (const [field, valid, expected] of fields) {
      if (!valid(block[field])) return `content[${index}].${field} must be ${expected}`;
    }
  }
  const { structuredContent, isError } = result as { structuredContent?: unknown; isError?: unknown };
  if (structuredContent !== undefined && (!isObject(structuredContent) || Array.isArray(structuredContent))) return 'structuredContent must be an object';
  if (isError !== undefined && typeof isError !== 'boolean') return 'isError must be a boolean';
  try {
    JSON.stringify(result);
  } catch (error) {
    return firstLine(error);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0];
}

function toResourceContents(value: unknown, uri: string, mimeType?: string): ResourceContents[] {
  if (value === undefined || value === null) {
    throw new McpProtocolError(JSONRPC_ERROR.INTERNAL_ERROR, `Resource method returned no contents for ${uri}`);
  }
  if (typeof value === 'object' && value !== null && Array.isArray((value as ResourceResult).contents)) {
    return (value as ResourceResult).contents;
  }
  const items = Array.isArray(value) ? value : [value];
  return items.map((item): ResourceContents => {
    if (typeof item === 'string') return { uri, ...(mimeType && { mimeType }), text: item };
    if (item instanceof Uint8Array) return { uri, ...(mimeType && { mimeType }), blob: Buffer.from(item).toString('base64') };
    if (typeof item === 'object' && item !== null && ('text' in item || 'blob' in item)) {
      return { uri, ...(mimeType && { mimeType }), ...(item as object) } as ResourceContents;
    }
    return { uri, mimeType: 'application/json', text: JSON.stringify(item) };
  });
}

function toPromptResult(value: unknown): PromptResult {
  if (typeof value === 'string') return { messages: [{ role: 'user', content: { type: 'text', text: value } }] };
  if (Array.isArray(value)) return { messages: value as PromptMessage[] };
  if (typeof value === 'object' && value !== null && Array.isArray((value as PromptResult).messages)) {
    return value as PromptResult;
  }
  throw new McpProtocolError(JSONRPC_ERROR.INTERNAL_ERROR, 'Prompt method returned no messages');
}
