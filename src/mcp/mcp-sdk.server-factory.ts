import { Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
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
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { z } from 'zod';
import { InjectSessionStore, McpSession, SessionStore } from '../session';
import { InjectMcpOptions, JSONRPC_ERROR } from './mcp.constants';
import { McpProtocolError } from './mcp.exception';
import { McpCallEnvironment, McpExecutor } from './mcp.executor';
import type { McpModuleOptions } from './mcp-module-options.interface';
import { McpRegistry } from './mcp.registry';
import type { McpRequestContext } from './interfaces/mcp-context.interface';
import type { LoggingLevel } from './interfaces/mcp-content.interface';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** An SDK request schema: a zod object whose `method` is a literal. */
type StrictRequestSchema = z.ZodObject<{ method: z.ZodLiteral<string> } & z.ZodRawShape>;

/**
 * The one place that builds SDK `Server`s. Each answers one HTTP exchange with handlers that
 * read the registry and run the executor; the SDK does the protocol (JSON-RPC, version
 * negotiation, ping, result validation). What is costly is shared: the registry's lists
 * are precomputed and one JSON Schema validator serves every server.
 */
@Injectable()
export class McpSdkServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();
  private readonly lenientSchemas: Record<string, z.ZodObject<{ method: z.ZodLiteral<string> }>> = {};
  private readonly capabilities = {
    tools: { listChanged: true },
    resources: { listChanged: true },
    prompts: { listChanged: true },
    logging: {},
    completions: {},
  };

  constructor(
    private readonly registry: McpRegistry,
    private readonly executor: McpExecutor,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {}

  create(request: McpRequestContext, session?: McpSession): Server {
    const server = new Server(this.options.serverInfo, {
      capabilities: this.capabilities,
      instructions: this.options.instructions,
      jsonSchemaValidator: this.validator,
    });
    const env = (extra: Extra, progressToken?: string | number): McpCallEnvironment => ({
      request,
      signal: extra.signal,
      progressToken,
      logLevel: session?.logLevel,
      notify: (method, params) => extra.sendNotification({ method, params } as ServerNotification),
    });

    const on = <S extends StrictRequestSchema>(schema: S, handler: (request: z.output<S>, extra: Extra) => unknown) =>
      this.handle(server, schema, handler);

    on(ListToolsRequestSchema, () => ({ tools: this.registry.listTools() }));
    on(CallToolRequestSchema, ({ params }, extra) =>
      this.executor.callTool(params.name, params.arguments, env(extra, params._meta?.progressToken)),
    );
    on(ListResourcesRequestSchema, () => ({ resources: this.registry.listResources() }));
    on(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: this.registry.listResourceTemplates() }));
    on(ReadResourceRequestSchema, ({ params }, extra) =>
      this.executor.readResource(params.uri, env(extra, params._meta?.progressToken)),
    );
    on(ListPromptsRequestSchema, () => ({ prompts: this.registry.listPrompts() }));
    on(GetPromptRequestSchema, ({ params }, extra) =>
      this.executor.getPrompt(params.name, params.arguments, env(extra, params._meta?.progressToken)),
    );
    on(CompleteRequestSchema, async ({ params }) => ({
      completion: await this.executor.complete(params.ref, params.argument, params.context?.arguments),
    }));
    on(SetLevelRequestSchema, async ({ params }) => {
      // The level belongs to the session (kept in the store), not to this short-lived Server.
      if (session) await this.sessions.update(session.id, { logLevel: params.level as LoggingLevel });
      return {};
    });
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
  ): void {
    const method = schema.shape.method.value;
    const lenient = (this.lenientSchemas[method] ??= z.looseObject({ method: z.literal(method) }));
    server.setRequestHandler(lenient, async (request, extra) => {
      const parsed = schema.safeParse(request);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
        throw new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, `Invalid params for ${method}: ${problems.join('; ')}`);
      }
      return (await handler(parsed.data as z.output<S>, extra)) as ServerResult;
    });
  }
}
