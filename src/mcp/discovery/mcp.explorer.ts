import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { MCP_CONTEXT_TYPE, MCP_PROMPT_METADATA, MCP_RESOURCE_METADATA, MCP_TOOL_METADATA } from '../mcp.constants';
import { McpDefinitionError } from './mcp-definition.error';
import { McpParamsFactory } from '../execution/mcp-params.factory';
import { McpHandler, McpRegistry, McpSource } from './mcp.registry';
import { compileSchema } from './schema/input-schema';
import { UriTemplateMatcher } from './uri-template';
import type { McpPromptOptions, McpResourceOptions, McpToolOptions } from '../interfaces/mcp-decorator-options.interface';

/**
 * Finds `@McpTool`, `@McpResource` and `@McpPrompt` methods on every provider once, at module
 * init, and fills the registry. Methods are wrapped by Nest's `ExternalContextCreator`, so
 * guards, interceptors and pipes on them run as they do on routes.
 */
@Injectable()
export class McpExplorer implements OnModuleInit {
  private readonly logger = new Logger(McpExplorer.name);
  private readonly paramsFactory = new McpParamsFactory();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly contextCreator: ExternalContextCreator,
    private readonly registry: McpRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) this.exploreProvider(wrapper);
    const { tools, resources, resourceTemplates, prompts } = this.registry.size;
    this.logger.log(`Registered ${tools} tools, ${resources} resources, ${resourceTemplates} resource templates, ${prompts} prompts`);
  }

  private exploreProvider(wrapper: InstanceWrapper): void {
    const prototype = wrapper.metatype?.prototype as Record<string, unknown> | undefined;
    if (!prototype || typeof wrapper.metatype !== 'function') return;
    const methods = this.scanner.getAllMethodNames(prototype).filter((method) => this.isMarked(prototype[method]));
    if (methods.length === 0) return;
    if (!wrapper.isDependencyTreeStatic()) {
      this.logger.warn(`${wrapper.name}: request-scoped providers cannot hold MCP tools; skipped ${methods.join(', ')}`);
      return;
    }
    const instance = wrapper.instance as Record<string, unknown>;
    const pack = packName(wrapper);
    for (const method of methods) {
      const source: McpSource = { where: `${wrapper.metatype.name}.${method}`, pack };
      const target = prototype[method] as (...args: unknown[]) => unknown;
      const handler = this.createHandler(instance, target, method);
      const tool = this.reflector.get<McpToolOptions & { name: string }>(MCP_TOOL_METADATA, target);
      const resource = this.reflector.get<McpResourceOptions>(MCP_RESOURCE_METADATA, target);
      const prompt = this.reflector.get<McpPromptOptions & { name: string }>(MCP_PROMPT_METADATA, target);
      if (tool) this.registerTool(tool, source, handler);
      if (resource) this.registerResource(resource, source, handler);
      if (prompt) this.registerPrompt(prompt, source, handler);
    }
  }

  private isMarked(target: unknown): boolean {
    if (typeof target !== 'function') return false;
    return [MCP_TOOL_METADATA, MCP_RESOURCE_METADATA, MCP_PROMPT_METADATA].some((key) => this.reflector.get(key, target) !== undefined);
  }

  private createHandler(instance: Record<string, unknown>, target: (...args: unknown[]) => unknown, method: string): McpHandler {
    const callable = this.contextCreator.create(
      instance,
      target,
      method,
      ROUTE_ARGS_METADATA,
      this.paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: false },
      MCP_CONTEXT_TYPE,
    );
    return (input, context) => callable(input, context);
  }

  private registerTool(options: McpToolOptions & { name: string }, source: McpSource, handler: McpHandler): void {
    const input = compileOrFail(source, 'input', () => compileSchema(options.input));
    const output = options.output ? compileOrFail(source, 'output', () => compileSchema(options.output)) : undefined;
    this.registry.addTool({
      ...source,
      definition: {
        name: options.name,
        ...(options.title !== undefined && { title: options.title }),
        description: options.description,
        inputSchema: input.jsonSchema,
        ...(output && { outputSchema: output.jsonSchema }),
        ...(options.annotations && { annotations: options.annotations }),
      },
      input,
      output,
      permissions: options.permissions ?? [`${source.pack}:${options.name}`],
      timeoutMs: options.timeoutMs,
      ...(options.rateLimit && { rateLimit: { limit: options.rateLimit.limit, ttlSeconds: options.rateLimit.ttlSeconds } }),
      ...(options.onBehalfOf && { onBehalfOf: Object.freeze({ ...options.onBehalfOf, scopes: Object.freeze([...(options.onBehalfOf.scopes ?? [])]) }) }),
      handler,
    });
  }

  private registerResource(options: McpResourceOptions, source: McpSource, handler: McpHandler): void {
    const common = {
      name: options.name,
      ...(options.title !== undefined && { title: options.title }),
      ...(options.description !== undefined && { description: options.description }),
      ...(options.mimeType !== undefined && { mimeType: options.mimeType }),
    };
    if (options.uri) {
      this.registry.addResource({ ...source, definition: { uri: options.uri, ...common }, handler });
      return;
    }
    const uriTemplate = options.uriTemplate!;
    this.registry.addResourceTemplate({
      ...source,
      definition: { uriTemplate, ...common },
      matcher: new UriTemplateMatcher(uriTemplate),
      complete: options.complete ?? {},
      handler,
    });
  }

  private registerPrompt(options: McpPromptOptions & { name: string }, source: McpSource, handler: McpHandler): void {
    this.registry.addPrompt({
      ...source,
      definition: {
        name: options.name,
        ...(options.title !== undefined && { title: options.title }),
        description: options.description,
        ...(options.arguments && { arguments: options.arguments }),
      },
      complete: options.complete ?? {},
      handler,
    });
  }
}

function compileOrFail<T>(source: McpSource, what: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    throw new McpDefinitionError(source.where, `${what} schema: ${(error as Error).message}`);
  }
}

/** `CalculatorModule` → `calculator`, `MyToolsModule` → `my-tools`: the pack in default permissions. */
function packName(wrapper: InstanceWrapper): string {
  const moduleName = wrapper.host?.metatype?.name ?? 'app';
  return (
    moduleName
      .replace(/Module$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase() || 'app'
  );
}
