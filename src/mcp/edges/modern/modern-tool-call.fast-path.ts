import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY, SERVER_INFO_META_KEY } from '@modelcontextprotocol/server';
import { McpRegistry } from '../../discovery/mcp.registry';
import { McpToolGate } from '../../execution/mcp-tool.gate';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpBaseContext } from '../streamable-http/streamable-http.handler';
import {
  MODERN_PROTOCOL_VERSION,
  ModernRequest,
  ModernRequestIo,
  ModernServerFactory,
  modernRequestContext,
  toProtocolError,
} from './modern-server.factory';

type Json = Record<string, unknown>;

/** A `tools/call` the fast path takes: one message, nothing in it the SDK would have to interpret. */
interface PlainToolCall {
  jsonrpc: '2.0';
  id: string | number;
  method: 'tools/call';
  params: { name: string; arguments?: Json; _meta: Json };
}

/** The `_meta` keys a plain call may carry: the envelope, nothing that changes how it is served. */
const PLAIN_META_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY]);
const PLAIN_PARAM_KEYS = new Set(['name', 'arguments', '_meta']);

/** Keys of a tool result that mark it as another family's (the SDK leaves such a result alone). */
const FOREIGN_RESULT_KEYS = ['task', 'toolResult'];

const NO_OUTPUT = async (): Promise<void> => undefined;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Json, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The 2026-07-28 `tools/call` without the v2 SDK's per-request machinery (a new `McpServer`,
 * a web Request and Response, schema parses of request and result), for the plain call that
 * is most of the traffic: one message, headers that agree with the body, no request state,
 * progress token, log level, trace context or `Mcp-Param-*` header, JSON answer. It runs the
 * same gate and input rounds as the SDK path and frames the answer as the SDK does
 * (`resultType`, `serverInfo` in `_meta`, error codes and the -32021 → 400 rule); anything
 * else, and every malformed request, goes to the SDK, which answers it. `mcp.fastPaths:
 * false` sends every request through the SDK; e2e tests compare both answers.
 */
@Injectable()
export class ModernToolCallFastPath {
  private readonly enabled: boolean;
  private readonly serverInfo: { name: string; version: string };
  /** Tools whose input schema maps arguments to `Mcp-Param-*` headers: the SDK checks those. */
  private headerMapped?: Set<string>;

  constructor(
    private readonly registry: McpRegistry,
    private readonly gate: McpToolGate,
    private readonly servers: ModernServerFactory,
    @InjectMcpOptions() options: McpModuleOptions,
  ) {
    this.enabled = options.fastPaths !== false && options.responseMode !== 'sse';
    this.serverInfo = options.serverInfo;
    registry.onChange(() => (this.headerMapped = undefined));
  }

  /** Whether this request is a plain tool call the fast path answers. */
  accepts(req: IncomingMessage, body: unknown): body is PlainToolCall {
    if (!this.enabled || !isPlainObject(body) || body.method !== 'tools/call' || body.jsonrpc !== '2.0') return false;
    const id = body.id;
    if (typeof id !== 'string' && !Number.isSafeInteger(id)) return false;
    const params = body.params;
    if (!isPlainObject(params) || typeof params.name !== 'string' || !onlyKeys(params, PLAIN_PARAM_KEYS)) return false;
    if (params.arguments !== undefined && !isPlainObject(params.arguments)) return false;
    const meta = params._meta;
    if (!isPlainObject(meta) || !onlyKeys(meta, PLAIN_META_KEYS) || meta[PROTOCOL_VERSION_META_KEY] !== MODERN_PROTOCOL_VERSION) return false;
    if (!isPlainObject(meta[CLIENT_CAPABILITIES_META_KEY])) return false;
    const info = meta[CLIENT_INFO_META_KEY];
    if (info !== undefined && !(isPlainObject(info) && typeof info.name === 'string' && typeof info.version === 'string')) return false;
    if (
      header(req, 'mcp-protocol-version') !== MODERN_PROTOCOL_VERSION ||
      header(req, 'mcp-method') !== 'tools/call' ||
      header(req, 'mcp-name') !== params.name
    ) {
      return false;
    }
    const accept = header(req, 'accept') ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return false;
    for (const name in req.headers) if (name.startsWith('mcp-param-')) return false;
    return this.registry.getTool(params.name) !== undefined && !this.mapsHeaders(params.name);
  }

  async serve(req: IncomingMessage, res: ServerResponse, call: PlainToolCall, base: McpBaseContext): Promise<void> {
    const abort = new AbortController();
    let answered = false;
    res.once('close', () => {
      if (!answered) abort.abort();
    });
    const meta = call.params._meta;
    const context = modernRequestContext(base, meta);
    const name = call.params.name;
    // No progress token and no log level: progress and logs of this call go nowhere (as in the SDK).
    const io: ModernRequestIo = { signal: abort.signal, envelope: meta, log: NO_OUTPUT, notify: NO_OUTPUT };
    const request: ModernRequest = { method: 'tools/call', params: call.params };
    const wire = this.gate.traced ? { id: call.id, meta, target: name } : undefined;
    let status = 200;
    let answer: Json;
    try {
      const result = await this.gate.observe(
        'tools/call',
        context,
        name,
        () => this.servers.withInput(request, io, context, name, (env) => this.gate.callTool(name, call.params.arguments, env)),
        wire,
      );
      answer = { result: this.encode(result as Json), jsonrpc: '2.0', id: call.id };
    } catch (thrown) {
      const error = toProtocolError(thrown) as { code?: unknown; message?: string; data?: unknown };
      const code = Number.isSafeInteger(error.code) ? (error.code as number) : JSONRPC_ERROR.INTERNAL_ERROR;
      // The revision folds "resource not found" into invalid params; a missing capability is a 400.
      const wireCode = code === JSONRPC_ERROR.RESOURCE_NOT_FOUND ? JSONRPC_ERROR.INVALID_PARAMS : code;
      if (wireCode === JSONRPC_ERROR.MISSING_CLIENT_CAPABILITY) status = 400;
      answer = {
        jsonrpc: '2.0',
        id: call.id,
        error: { code: wireCode, message: error.message ?? 'Internal error', ...(error.data !== undefined && { data: error.data }) },
      };
    }
    answered = true;
    // The client went away: like the SDK, nothing is written for an aborted request.
    if (abort.signal.aborted || res.destroyed) return;
    const text = JSON.stringify(answer);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  /** The SDK's encoding of a tools/call result at this revision: content filled, `resultType`, `serverInfo`. */
  private encode(result: Json): Json {
    let encoded = result;
    if (encoded.resultType === undefined) {
      if (encoded.content === undefined && !FOREIGN_RESULT_KEYS.some((key) => key in encoded)) encoded = { ...encoded, content: [] };
      encoded = { ...encoded, resultType: 'complete' };
    }
    const meta = encoded._meta;
    if (meta === undefined) return { ...encoded, _meta: { [SERVER_INFO_META_KEY]: this.serverInfo } };
    if (!isPlainObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return encoded;
    return { ...encoded, _meta: { ...meta, [SERVER_INFO_META_KEY]: this.serverInfo } };
  }

  private mapsHeaders(tool: string): boolean {
    if (!this.headerMapped) {
      this.headerMapped = new Set(
        this.registry
          .listTools()
          .filter((definition) => JSON.stringify(definition.inputSchema ?? {}).includes('"x-mcp-header"'))
          .map((definition) => definition.name),
      );
    }
    return this.headerMapped.has(tool);
  }
}
