import { Inject, Injectable, Optional } from '@nestjs/common';
import { McpToolGate } from '../../execution/mcp-tool.gate';
import type { McpCallEnvironment } from '../../execution/mcp.executor';
import { NOOP_OBSERVER } from '../../execution/mcp-observer.provider';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { HttpExchange } from './http-exchange';

type Message = Record<string, unknown>;

const PLAIN_PARAM_KEYS: ReadonlySet<string> = new Set(['name', 'arguments', '_meta']);

/** The abort reason the SDK gives a request the client cancelled; tools see the same. */
const CANCELLED = 'cancelled by the client';

function isPlainObject(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A 2025-era `tools/call` of a stateless exchange without the SDK's `Server` in between: the
 * shared server would validate the request and the result with its schemas, keep an abort
 * controller and route the answer back through the multiplexing transport, for a call that
 * needs none of it (no session: it cannot ask the client anything). It runs the same gate
 * and writes the same messages to the exchange: the result or error with the client's id,
 * progress and logs before it, nothing after a cancellation. Calls with anything else in
 * them (a task, other `_meta`) and every other method go through the SDK. `mcp.fastPaths:
 * false` turns it off; e2e tests compare both answers.
 */
@Injectable()
export class ToolCallFastPath {
  private readonly enabled: boolean;
  private readonly observer: McpObserver;

  constructor(
    private readonly gate: McpToolGate,
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
  dispatch(message: Message, exchange: HttpExchange, clientId: string | number, context: McpRequestContext): () => void {
    const params = message.params as { name: string; arguments?: Message; _meta?: { progressToken?: string | number } };
    const abort = new AbortController();
    let done = false;
    const env: McpCallEnvironment = {
      request: context,
      signal: abort.signal,
      progressToken: params._meta?.progressToken,
      notify: async (method, notification) => {
        this.observer.notificationSent(method === 'notifications/progress' ? 'progress' : method === 'notifications/message' ? 'log' : 'other');
        if (!done) exchange.write({ method, params: notification, jsonrpc: '2.0' });
      },
      ...(exchange.resumable && { closeStream: () => exchange.closeStream() }),
    };
    const wire = this.gate.traced ? { id: clientId, ...(params._meta && { meta: params._meta }), target: params.name } : undefined;
    this.gate
      .observe('tools/call', context, params.name, () => this.gate.callTool(params.name, params.arguments, env), wire)
      .then(
        (result) => {
          if (done) return;
          done = true;
          exchange.respond({ result, jsonrpc: '2.0', id: clientId });
        },
        (error: { code?: unknown; message?: string; data?: unknown }) => {
          if (done) return;
          done = true;
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
      done = true;
      abort.abort(CANCELLED);
      exchange.abandon(clientId);
    };
  }
}
