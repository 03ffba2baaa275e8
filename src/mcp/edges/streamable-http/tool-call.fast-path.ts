import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpSession } from '../../../session';
import { McpToolGate } from '../../execution/mcp-tool.gate';
import type { McpCallEnvironment } from '../../execution/mcp.executor';
import { NOOP_OBSERVER } from '../../execution/mcp-observer.provider';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { HttpExchange } from './http-exchange';
import { McpRequestRouter } from './mcp-request.router';
import { CLIENT_RESULT_SCHEMAS } from '../sdk-v1/mcp-sdk.server-factory';

type Message = Record<string, unknown>;

const PLAIN_PARAM_KEYS: ReadonlySet<string> = new Set(['name', 'arguments', '_meta']);

/** The abort reason the SDK gives a request the client cancelled; tools see the same. */
const CANCELLED = 'cancelled by the client';

function isPlainObject(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A 2025-era `tools/call` without the SDK's `Server` in between. The shared server would
 * validate the request and the result with its schemas, keep an abort controller and route
 * every message through the multiplexing transport; this runs the same gate and writes the
 * same messages to the exchange: progress and logs (at the session's level), requests to the
 * client with routable ids (answered on any replica) and their cancellation, then the result
 * or error with the client's id, and nothing after a cancellation. Calls with anything else
 * in them (a task, other `_meta`) and every other method go through the SDK. `mcp.fastPaths:
 * false` turns it off; e2e tests compare the answers of both.
 */
@Injectable()
export class ToolCallFastPath {
  private readonly enabled: boolean;
  private readonly observer: McpObserver;

  constructor(
    private readonly gate: McpToolGate,
    private readonly router: McpRequestRouter,
    @InjectMcpOptions() options: McpModuleOptions,
    @Optional() @Inject(MCP_OBSERVER) observer?: McpObserver,
  ) {
    this.enabled = options.fastPaths !== false;
    this.observer = observer ?? NOOP_OBSERVER;
  }

  /** Whether a request is a plain tool call: name, object arguments, at most a progress token. */
  accepts(message: Message): boolean {
    if (!this.enabled || message.method !== 'tools/call') return false;
    const params = message.params;
    if (!isPlainObject(params) || typeof params.name !== 'string') return false;
    for (const key in params) if (!PLAIN_PARAM_KEYS.has(key)) return false;
    if (params.arguments !== undefined && !isPlainObject(params.arguments)) return false;
    const meta = params._meta;
    if (meta === undefined) return true;
    if (!isPlainObject(meta)) return false;
    for (const key in meta) if (key !== 'progressToken') return false;
    return meta.progressToken === undefined || typeof meta.progressToken === 'string' || typeof meta.progressToken === 'number';
  }

  /** Runs the call and answers on the exchange; returns what cancels it. */
  dispatch(message: Message, exchange: HttpExchange, clientId: string | number, context: McpRequestContext, session?: McpSession): () => void {
    const params = message.params as { name: string; arguments?: Message; _meta?: { progressToken?: string | number } };
    const abort = new AbortController();
    let done = false;
    /** Ids of this call's requests to the client that still wait for an answer. */
    const asked = new Set<string>();
    const finish = () => {
      done = true;
      for (const id of asked) this.router.releaseOutbound(id);
    };
    const env: McpCallEnvironment = {
      request: context,
      signal: abort.signal,
      progressToken: params._meta?.progressToken,
      logLevel: session?.logLevel,
      clientCapabilities: session?.clientCapabilities,
      notify: async (method, notification) => {
        this.observer.notificationSent(method === 'notifications/progress' ? 'progress' : method === 'notifications/message' ? 'log' : 'other');
        if (!done) exchange.write({ method, params: notification, jsonrpc: '2.0' });
      },
      ...(session && {
        requestClient: (method, request, signal) => {
          if (abort.signal.aborted) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, 'Request was cancelled'));
          return this.askClient(session.id, exchange, asked, method, request, signal, () => done);
        },
      }),
      ...(exchange.resumable && { closeStream: () => exchange.closeStream() }),
    };
    const wire = this.gate.traced ? { id: clientId, ...(params._meta && { meta: params._meta }), target: params.name } : undefined;
    this.gate
      .observe('tools/call', context, params.name, () => this.gate.callTool(params.name, params.arguments, env), wire)
      .then(
        (result) => {
          if (done) return;
          finish();
          exchange.respond({ result, jsonrpc: '2.0', id: clientId });
        },
        (error: { code?: unknown; message?: string; data?: unknown }) => {
          if (done) return;
          finish();
          exchange.respond({
            jsonrpc: '2.0',
            id: clientId,
            error: {
              code: Number.isSafeInteger(error.code) ? error.code : JSONRPC_ERROR.INTERNAL_ERROR,
              message: error.message ?? 'Internal error',
              ...(error.data !== undefined && { data: error.data }),
            },
          });
        },
      );
    return () => {
      if (done) return;
      finish();
      abort.abort(CANCELLED);
      exchange.abandon(clientId);
    };
  }

  /**
   * A request to the client on the call's stream, as the SDK sends one: a routable id, the
   * answer validated with the method's result schema, an error answer as `McpError`, and on
   * abort a `notifications/cancelled` for it and the abort reason as a -32001 error.
   */
  private askClient(
    sessionId: string,
    exchange: HttpExchange,
    asked: Set<string>,
    method: keyof typeof CLIENT_RESULT_SCHEMAS,
    params: Record<string, unknown>,
    signal: AbortSignal,
    finished: () => boolean,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      signal.throwIfAborted();
      const id = this.router.registerOutbound(sessionId, (response) => {
        asked.delete(id);
        if (signal.aborted) return;
        const error = response.error as { code: number; message: string; data?: unknown } | undefined;
        if (error) return reject(new McpError(error.code, error.message, error.data));
        const parsed = CLIENT_RESULT_SCHEMAS[method].safeParse(response.result);
        if (parsed.success) resolve(parsed.data as Record<string, unknown>);
        else reject(parsed.error);
      });
      asked.add(id);
      signal.addEventListener('abort', () => {
        if (!asked.delete(id)) return;
        this.router.releaseOutbound(id);
        if (!finished()) exchange.write({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: String(signal.reason) } });
        reject(signal.reason instanceof McpError ? signal.reason : new McpError(ErrorCode.RequestTimeout, String(signal.reason)));
      });
      exchange.write({ method, params, jsonrpc: '2.0', id });
    });
  }
}
