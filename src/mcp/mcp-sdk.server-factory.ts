import { Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CallToolResult,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  GetPromptResult,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ListToolsResult,
  ReadResourceRequestSchema,
  ReadResourceResult,
  ServerNotification,
  ServerRequest,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { InjectSessionStore, McpSession, SessionStore } from '../session';
import { InjectMcpOptions } from './mcp.constants';
import { McpCallEnvironment, McpExecutor } from './mcp.executor';
import type { McpModuleOptions } from './mcp-module-options.interface';
import { McpRegistry } from './mcp.registry';
import type { McpRequestContext } from './interfaces/mcp-context.interface';
import type { LoggingLevel } from './interfaces/mcp-content.interface';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * The one place that builds SDK `Server`s. Each answers one HTTP exchange with handlers that
 * read the registry and run the executor; the SDK does the protocol (JSON-RPC, version
 * negotiation, ping, result validation). What is costly is shared: the registry's lists
 * are precomputed and one JSON Schema validator serves every server.
 */
@Injectable()
export class McpSdkServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();
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

    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.registry.listTools() }) as ListToolsResult);
    server.setRequestHandler(CallToolRequestSchema, async ({ params }, extra) => {
      const result = await this.executor.callTool(params.name, params.arguments, env(extra, params._meta?.progressToken));
      return result as CallToolResult;
    });
    server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: this.registry.listResources() }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
      resourceTemplates: this.registry.listResourceTemplates(),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async ({ params }, extra) => {
      const result = await this.executor.readResource(params.uri, env(extra, params._meta?.progressToken));
      return result as ReadResourceResult;
    });
    server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: this.registry.listPrompts() }));
    server.setRequestHandler(GetPromptRequestSchema, async ({ params }, extra) => {
      const result = await this.executor.getPrompt(params.name, params.arguments, env(extra, params._meta?.progressToken));
      return result as GetPromptResult;
    });
    server.setRequestHandler(CompleteRequestSchema, async ({ params }) => ({
      completion: await this.executor.complete(params.ref, params.argument, params.context?.arguments),
    }));
    server.setRequestHandler(SetLevelRequestSchema, async ({ params }) => {
      // The level belongs to the session (kept in the store), not to this short-lived Server.
      if (session) await this.sessions.update(session.id, { logLevel: params.level as LoggingLevel });
      return {};
    });
    return server;
  }
}
