import { Inject, Injectable, Optional } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  ServerNotification,
  ServerRequest,
  ServerResult,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { z } from 'zod';
import type { McpSession, SessionStore } from '../../../session';
import { McpPorts } from '../../mcp.ports';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import { McpProtocolError } from '../../mcp.exception';
import { McpCallEnvironment, McpExecutor } from '../../execution/mcp.executor';
import { McpToolGate } from '../../execution/mcp-tool.gate';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { NOOP_OBSERVER } from '../../execution/mcp-observer.provider';
import { McpRegistry } from '../../discovery/mcp.registry';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import type { LoggingLevel } from '../../interfaces/mcp-content.interface';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import type { McpWireRequest } from '../../../telemetry/mcp-tracing';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** An SDK request schema: a zod object whose `method` is a literal. */
type StrictRequestSchema = z.ZodObject<{ method: z.ZodLiteral<string> } & z.ZodRawShape>;

/** The session a request is served for; long-lived servers (legacy SSE) see it change. */
export interface SessionHolder {
  session?: McpSession;
}

/** What a handler needs to know about the request it serves. */
export interface ServedRequest {
  request: McpRequestContext;
  holder: SessionHolder;
  /** The id the client gave the request, where the SDK sees another (the multiplexing transport's). */
  clientId?: string | number;
}

/** Result schemas of the requests a tool may send the client (elicitation, sampling, roots). */
export const CLIENT_RESULT_SCHEMAS = {
  'elicitation/create': ElicitResultSchema,
  'sampling/createMessage': CreateMessageResultSchema,
  'roots/list': ListRootsResultSchema,
} as const;

/** setTimeout's ceiling: client requests are bounded by the tool's signal instead. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;

/**
 * The one place that builds SDK `Server`s. Each serves one exchange (or one legacy SSE
 * connection) with handlers that read the registry and run the executor; the SDK does the
 * protocol (JSON-RPC, version negotiation, ping, result validation). What is costly is
 * shared: the registry's lists are precomputed and one JSON Schema validator serves all.
 */
@Injectable()
export class McpSdkServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();
  private readonly lenientSchemas: Record<string, z.ZodObject<{ method: z.ZodLiteral<string> }>> = {};
  private readonly capabilities: Record<string, unknown>;
  private readonly stateful: boolean;
  private readonly observer: McpObserver;
  private readonly sessions: SessionStore;

  constructor(
    private readonly registry: McpRegistry,
    private readonly executor: McpExecutor,
    ports: McpPorts,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    private readonly gate: McpToolGate,
    @Optional() @Inject(MCP_OBSERVER) observer?: McpObserver,
  ) {
    this.sessions = ports.sessions;
    this.stateful = options.sessionMode === 'stateful';
    this.observer = observer ?? NOOP_OBSERVER;
    this.capabilities = {
      tools: { listChanged: true },
      resources: { listChanged: true, subscribe: this.stateful },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    };
  }

  /** A server for one connection (legacy SSE): every request is served for `request`. */
  create(request: McpRequestContext, holder: SessionHolder): Server {
    return this.build(() => ({ request, holder }));
  }

  /**
   * The process-wide server behind the multiplexing transport: each handler finds its
   * request's context by the request's (internal) id.
   */
  createShared(resolve: (requestId: string | number) => ServedRequest | undefined): Server {
    return this.build((extra) => {
      const served = resolve(extra.requestId);
      if (!served) throw new McpProtocolError(JSONRPC_ERROR.INTERNAL_ERROR, 'Request context lost');
      return served;
    });
  }

  private build(resolve: (extra: Extra) => ServedRequest): Server {
    const server = new Server(this.options.serverInfo, {
      capabilities: this.capabilities,
      instructions: this.options.instructions,
      jsonSchemaValidator: this.validator,
    });
    const env = (extra: Extra, progressToken?: string | number): McpCallEnvironment => {
      const { request, holder } = resolve(extra);
      const session = holder.session;
      return {
        request,
        signal: extra.signal,
        progressToken,
        logLevel: session?.logLevel,
        clientCapabilities: session?.clientCapabilities,
        notify: async (method, params) => {
          this.observer.notificationSent(method === 'notifications/progress' ? 'progress' : method === 'notifications/message' ? 'log' : 'other');
          await extra.sendNotification({ method, params } as ServerNotification);
        },
        ...(session && {
          requestClient: async (method, params, signal) =>
            (await extra.sendRequest({ method, params } as ServerRequest, CLIENT_RESULT_SCHEMAS[method], {
              signal,
              timeout: NO_SDK_TIMEOUT,
            })) as Record<string, unknown>,
        }),
        closeStream: extra.closeSSEStream,
      };
    };
    const on = <S extends StrictRequestSchema>(schema: S, handler: (request: z.output<S>, extra: Extra) => unknown) =>
      this.handle(server, schema, handler, resolve);

    on(ListToolsRequestSchema, (_request, extra) => ({ tools: this.gate.toolsFor(resolve(extra).request) }));
    on(CallToolRequestSchema, ({ params }, extra) => this.gate.callTool(params.name, params.arguments, env(extra, params._meta?.progressToken)));
    on(ListResourcesRequestSchema, () => ({ resources: this.registry.listResources() }));
    on(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: this.registry.listResourceTemplates() }));
    on(ReadResourceRequestSchema, ({ params }, extra) => this.gate.readResource(params.uri, env(extra, params._meta?.progressToken)));
    on(ListPromptsRequestSchema, () => ({ prompts: this.registry.listPrompts() }));
    on(GetPromptRequestSchema, ({ params }, extra) => this.gate.getPrompt(params.name, params.arguments, env(extra, params._meta?.progressToken)));
    on(CompleteRequestSchema, async ({ params }) => ({
      completion: await this.executor.complete(params.ref, params.argument, params.context?.arguments),
    }));
    on(SetLevelRequestSchema, async ({ params }, extra) => {
      const level = params.level as LoggingLevel;
      const { holder } = resolve(extra);
      // The level belongs to the session (kept in the store), not to a Server object.
      if (holder.session) {
        await this.sessions.update(holder.session.id, { logLevel: level });
        holder.session = { ...holder.session, logLevel: level };
      }
      return {};
    });
    if (this.stateful) {
      on(SubscribeRequestSchema, async ({ params }, extra) => {
        const { holder } = resolve(extra);
        if (holder.session) await this.sessions.subscribe(holder.session.id, params.uri);
        return {};
      });
      on(UnsubscribeRequestSchema, async ({ params }, extra) => {
        const { holder } = resolve(extra);
        if (holder.session) await this.sessions.unsubscribe(holder.session.id, params.uri);
        return {};
      });
    }
    return server;
  }

  /**
   * Registers a handler under a schema that only names the method, then validates params
   * with the SDK's strict schema itself: the SDK would answer malformed params with -32603,
   * the spec (and CONTRACT.md) says -32602.
   */
  private handle<S extends StrictRequestSchema>(
    server: Server,
    schema: S,
    handler: (request: z.output<S>, extra: Extra) => unknown,
    resolve: (extra: Extra) => ServedRequest,
  ): void {
    const method = schema.shape.method.value;
    const lenient = (this.lenientSchemas[method] ??= z.looseObject({ method: z.literal(method) }));
    server.setRequestHandler(lenient, (request, extra) =>
      this.gate.observe(
        method,
        resolve(extra).request,
        method === 'tools/call' ? toolNameOf(request) : undefined,
        async () => {
          // The SDK's Server validates tools/call itself (-32602) before this handler runs.
          const parsed = method === 'tools/call' ? { success: true as const, data: request } : schema.safeParse(request);
          if (!parsed.success) {
            const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
            throw new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, `Invalid params for ${method}: ${problems.join('; ')}`);
          }
          return (await handler(parsed.data as z.output<S>, extra)) as ServerResult;
        },
        this.gate.traced ? wireOf(request, resolve(extra).clientId ?? extra.requestId) : undefined,
      ),
    );
  }
}

/** The JSON-RPC id, `_meta` and target of a request, for its span. */
function wireOf(request: Record<string, unknown>, id: string | number): McpWireRequest {
  const params = request.params as { _meta?: Record<string, unknown>; uri?: unknown; name?: unknown } | undefined;
  const target = typeof params?.uri === 'string' ? params.uri : typeof params?.name === 'string' ? params.name : undefined;
  return { id, ...(params?._meta && { meta: params._meta }), ...(target !== undefined && { target }) };
}

function toolNameOf(request: Record<string, unknown>): string | undefined {
  const name = (request.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}
