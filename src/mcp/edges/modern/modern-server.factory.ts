import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  McpServer,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  type ServerContext,
  inputRequired,
} from '@modelcontextprotocol/server';
import { McpRegistry } from '../../discovery/mcp.registry';
import { McpCallEnvironment, McpExecutor } from '../../execution/mcp.executor';
import { McpInputRequiredSignal, McpInputRounds } from '../../execution/mcp-input';
import { McpToolGate } from '../../execution/mcp-tool.gate';
import { NOOP_OBSERVER } from '../../execution/mcp-observer.provider';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import { McpProtocolError } from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';
import { StoreUnavailableError } from '../../../session/session-store.exception';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpBaseContext } from '../streamable-http/streamable-http.handler';
import { RequestStateSealer } from './request-state.sealer';

/** The protocol revision this edge serves. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** How long clients may reuse list results (`ttlMs`); list changes are announced besides. */
const LIST_TTL_MS = 60_000;

type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };
export type ModernRequest = { method: string; params?: Params };
type Request = ModernRequest;

/**
 * What a 2026-07-28 call needs of the exchange it runs in: the earlier rounds' state and
 * answers, the abort signal, the `_meta` envelope, and where logs and notifications go. The
 * SDK's request context gives it (see {@link ioOf}); the tool-call fast path builds its own.
 */
export interface ModernRequestIo {
  requestState?: string;
  inputResponses?: Record<string, unknown>;
  signal: AbortSignal;
  envelope: Record<string, unknown>;
  log(level: string, data: unknown, logger?: string): Promise<void>;
  notify(method: string, params: Record<string, unknown>): Promise<void>;
}

/**
 * The v2 SDK's server for one 2026-07-28 request. `createMcpHandler` asks for a fresh one
 * per request (an instance serves one exchange); what it closes over — the registry's
 * definitions and compiled schemas, the gate — is built once. It only asks `McpServer` for
 * what the v2 handler checks on its own (the `Mcp-Param-*` headers of a tool's schema).
 */
class PlatformMcpServer extends McpServer {
  constructor(
    info: { name: string; version: string },
    options: ConstructorParameters<typeof McpServer>[1],
    private readonly inputSchemaOf: (tool: string) => Record<string, unknown> | undefined,
  ) {
    super(info, options);
  }

  override toolInputSchemaJson(name: string): Record<string, unknown> | undefined {
    return this.inputSchemaOf(name);
  }
}

/**
 * Serves 2026-07-28 requests with the same registry, gate and executor as the 2025 edge:
 * the same tools, permissions, limits, timeouts, metrics and audit. The SDK objects of this
 * edge (v2) never meet those of the 2025 edge (v1); only plain JSON and platform types
 * cross. A tool that asks for input gets `input_required` with a sealed `requestState` and
 * runs again from the top with the answers, on whichever replica the retry reaches.
 */
@Injectable()
export class ModernServerFactory {
  private readonly observer: McpObserver;
  private readonly capabilities = {
    tools: { listChanged: true },
    resources: { listChanged: true, subscribe: true },
    prompts: { listChanged: true },
    completions: {},
    logging: {},
  };
  private readonly cacheHints: ConstructorParameters<typeof McpServer>[1] extends infer O ? (O extends { cacheHints?: infer C } ? C : never) : never;

  constructor(
    private readonly registry: McpRegistry,
    private readonly gate: McpToolGate,
    private readonly executor: McpExecutor,
    private readonly sealer: RequestStateSealer,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    @Optional() @Inject(MCP_OBSERVER) observer?: McpObserver,
  ) {
    this.observer = observer ?? NOOP_OBSERVER;
    // A tool list that depends on the caller's permissions must not be shared by caches.
    const listScope = gate.personalized ? 'private' : 'public';
    this.cacheHints = {
      'tools/list': { ttlMs: LIST_TTL_MS, cacheScope: listScope },
      'prompts/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
      'resources/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
      'resources/templates/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
    };
  }

  build(base: McpBaseContext): McpServer {
    const server = new PlatformMcpServer(
      this.options.serverInfo,
      { capabilities: this.capabilities, instructions: this.options.instructions, cacheHints: this.cacheHints },
      (tool) => this.registry.getTool(tool)?.definition.inputSchema as Record<string, unknown> | undefined,
    );
    const sdk = server.server;
    const on = (method: string, handler: (request: Request, ctx: ServerContext, context: McpRequestContext) => Promise<unknown>) => {
      sdk.setRequestHandler(
        method as 'tools/list',
        (async (request: Request, ctx: ServerContext) => {
          const context = requestContext(base, ctx);
          const tool = method === 'tools/call' ? stringParam(request, 'name') : undefined;
          const wire = this.gate.traced
            ? { id: ctx.mcpReq.id, ...(request.params?._meta && { meta: request.params._meta }), target: targetOf(request) }
            : undefined;
          try {
            return await this.gate.observe(method, context, tool, () => handler(request, ctx, context), wire);
          } catch (error) {
            throw toProtocolError(error);
          }
        }) as never,
      );
    };

    on('tools/list', async (_request, _ctx, context) => ({ tools: this.gate.toolsFor(context) }));
    on('tools/call', (request, ctx, context) =>
      this.withInput(request, ioOf(ctx), context, stringParam(request, 'name') ?? '', (env) =>
        this.gate.callTool(stringParam(request, 'name') ?? '', request.params?.arguments, env),
      ),
    );
    on('resources/list', async () => ({ resources: this.registry.listResources() }));
    on('resources/templates/list', async () => ({ resourceTemplates: this.registry.listResourceTemplates() }));
    on('resources/read', (request, ctx, context) =>
      this.withInput(request, ioOf(ctx), context, stringParam(request, 'uri') ?? '', (env) =>
        this.gate.readResource(stringParam(request, 'uri') ?? '', env),
      ),
    );
    on('prompts/list', async () => ({ prompts: this.registry.listPrompts() }));
    on('prompts/get', (request, ctx, context) =>
      this.withInput(request, ioOf(ctx), context, stringParam(request, 'name') ?? '', (env) =>
        this.gate.getPrompt(stringParam(request, 'name') ?? '', request.params?.arguments as Record<string, string> | undefined, env),
      ),
    );
    on('completion/complete', async (request) => {
      const params = request.params as unknown as Parameters<McpExecutor['complete']> extends [infer R, infer A, ...unknown[]]
        ? { ref: R; argument: A; context?: { arguments?: Record<string, string> } }
        : never;
      return { completion: await this.executor.complete(params.ref, params.argument, params.context?.arguments) };
    });
    return server;
  }

  /**
   * Runs a call that may ask the client for input: answers come from the sealed state of
   * earlier rounds and this round's `inputResponses`; a missing one ends the round with
   * `input_required`, the requests, and the answers so far sealed for this very call.
   */
  async withInput(
    request: Request,
    io: ModernRequestIo,
    context: McpRequestContext,
    target: string,
    run: (env: McpCallEnvironment) => Promise<unknown>,
  ): Promise<unknown> {
    const binding = {
      principal: context.principal?.id ?? 'anonymous',
      ...(context.tenantId !== undefined && { tenant: context.tenantId }),
      method: request.method,
      target,
      args: request.params?.arguments ?? {},
    };
    const state = io.requestState;
    const earlier = state === undefined ? undefined : ((await this.sealer.open(state, binding)).answers as Record<string, unknown> | undefined);
    const rounds = new McpInputRounds(earlier, io.inputResponses);
    const capabilities = (io.envelope[CLIENT_CAPABILITIES_META_KEY] ?? {}) as Record<string, unknown>;
    const progressToken = request.params?._meta?.progressToken as string | number | undefined;
    const env: McpCallEnvironment = {
      request: context,
      signal: io.signal,
      ...(progressToken !== undefined && { progressToken }),
      clientCapabilities: capabilities,
      // Continuing rounds of one call count once against a tool's own limit.
      continuation: state !== undefined,
      notify: async (method, params) => {
        this.observer.notificationSent(method === 'notifications/progress' ? 'progress' : method === 'notifications/message' ? 'log' : 'other');
        // The SDK sends log messages only at the level the request asked for (_meta logLevel).
        if (method === 'notifications/message') await io.log(params.level as string, params.data, params.logger as string | undefined);
        else await io.notify(method, params);
      },
      requestClient: (method, params, _signal, key) => rounds.ask({ method, params }, key),
      missingCapability: (capability, message) =>
        new McpProtocolError(JSONRPC_ERROR.MISSING_CLIENT_CAPABILITY, message, { requiredCapabilities: capabilityTree(capability) }),
    };
    try {
      return await run(env);
    } catch (error) {
      if (!(error instanceof McpInputRequiredSignal)) throw error;
      return inputRequired({ inputRequests: rounds.pending as never, requestState: await this.sealer.seal({ answers: rounds.answers }, binding) });
    }
  }
}

function ioOf(ctx: ServerContext): ModernRequestIo {
  return {
    requestState: ctx.mcpReq.requestState(),
    inputResponses: ctx.mcpReq.inputResponses as Record<string, unknown> | undefined,
    signal: ctx.mcpReq.signal,
    envelope: envelopeOf(ctx),
    log: (level, data, logger) => ctx.mcpReq.log(level as never, data, logger),
    notify: (method, params) => ctx.mcpReq.notify({ method, params } as never),
  };
}

/** The platform's request context for a 2026 request: the HTTP request's, plus what the envelope says. */
function requestContext(base: McpBaseContext, ctx: ServerContext): McpRequestContext {
  return modernRequestContext(base, envelopeOf(ctx));
}

export function modernRequestContext(base: McpBaseContext, envelope: Record<string, unknown>): McpRequestContext {
  const info = envelope[CLIENT_INFO_META_KEY] as { name?: unknown; version?: unknown } | undefined;
  return {
    ...base,
    protocolVersion: MODERN_PROTOCOL_VERSION,
    ...(typeof info?.name === 'string' && { client: { name: info.name, version: String(info.version ?? '') } }),
  };
}

/** The request's `_meta` envelope (the SDK types it without its keys). */
function envelopeOf(ctx: ServerContext): Record<string, unknown> {
  return (ctx.mcpReq.envelope ?? {}) as Record<string, unknown>;
}

function stringParam(request: Request, name: string): string | undefined {
  const value = request.params?.[name];
  return typeof value === 'string' ? value : undefined;
}

function targetOf(request: Request): string | undefined {
  return stringParam(request, 'uri') ?? stringParam(request, 'name');
}

/** `elicitation.url` → `{ elicitation: { url: {} } }`. */
function capabilityTree(capability: string): Record<string, Record<string, unknown>> {
  const [head, sub] = capability.split('.', 2);
  return { [head]: sub ? { [sub]: {} } : {} };
}

/** The platform's errors as the v2 SDK's, mapped once here (-32002 becomes the revision's -32602). */
export function toProtocolError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return new ProtocolError(JSONRPC_ERROR.SERVER_ERROR, McpMessages.STORE_UNAVAILABLE(error.store));
  if (!(error instanceof McpProtocolError)) return error;
  if (error.code === JSONRPC_ERROR.MISSING_CLIENT_CAPABILITY) {
    const data = error.data as { requiredCapabilities: Record<string, unknown> };
    return new MissingRequiredClientCapabilityError(data as never, error.message);
  }
  return ProtocolError.fromError(error.code, error.message, error.data);
}
