import { Injectable } from '@nestjs/common';
import type { CompiledSchema, JsonSchema } from './schema/input-schema';
import type { McpToolContext } from '../interfaces/mcp-context.interface';
import type { McpCompleter, McpPromptArgument, McpToolAnnotations } from '../interfaces/mcp-decorator-options.interface';
import type { McpDownstream } from '../interfaces/mcp-token-exchange.interface';
import { UriTemplateMatcher } from './uri-template';

/** Calls the method behind a tool, resource or prompt through Nest's pipeline. */
export type McpHandler = (input: unknown, context: McpToolContext) => Promise<unknown>;

/** Where a definition came from, for messages: `Provider.method` and its tool pack. */
export interface McpSource {
  readonly where: string;
  readonly pack: string;
}

/** A tool as `tools/list` shows it (wire shape, computed once). */
export interface ToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: McpToolAnnotations;
}

export interface RegisteredTool extends McpSource {
  readonly definition: ToolDefinition;
  readonly input: CompiledSchema;
  readonly output?: CompiledSchema;
  readonly permissions: readonly string[];
  readonly timeoutMs?: number;
  readonly rateLimit?: { readonly limit: number; readonly ttlSeconds: number };
  /** The downstream API `ctx.tokenFor()` asks a token for by default. */
  readonly onBehalfOf?: Readonly<McpDownstream>;
  readonly handler: McpHandler;
}

export interface ResourceDefinition {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface ResourceTemplateDefinition {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface RegisteredResource extends McpSource {
  readonly definition: ResourceDefinition;
  readonly handler: McpHandler;
}

export interface RegisteredResourceTemplate extends McpSource {
  readonly definition: ResourceTemplateDefinition;
  readonly matcher: UriTemplateMatcher;
  readonly complete: Readonly<Record<string, McpCompleter>>;
  readonly handler: McpHandler;
}

export interface PromptDefinition {
  name: string;
  title?: string;
  description: string;
  arguments?: McpPromptArgument[];
}

export interface RegisteredPrompt extends McpSource {
  readonly definition: PromptDefinition;
  readonly complete: Readonly<Record<string, McpCompleter>>;
  readonly handler: McpHandler;
}

export type McpListKind = 'tools' | 'resources' | 'prompts';
export type McpRegistryListener = (kind: McpListKind) => void;

/** A resource found for a URI: a fixed one, or a template with the URI's variables. */
export type ResolvedResource =
  | { kind: 'static'; resource: RegisteredResource; variables: Record<string, string> }
  | { kind: 'template'; resource: RegisteredResourceTemplate; variables: Record<string, string> };

/**
 * Every tool, resource and prompt of this process, filled by the explorer at start and
 * changeable at run time. Lists are computed once per change, not per request.
 */
@Injectable()
export class McpRegistry {
  private readonly tools = new Map<string, RegisteredTool>();
  private readonly resources = new Map<string, RegisteredResource>();
  private readonly templates = new Map<string, RegisteredResourceTemplate>();
  private readonly prompts = new Map<string, RegisteredPrompt>();
  private readonly listeners = new Set<McpRegistryListener>();
  private toolList?: ToolDefinition[];
  private resourceList?: ResourceDefinition[];
  private templateList?: ResourceTemplateDefinition[];
  private promptList?: PromptDefinition[];

  addTool(tool: RegisteredTool): void {
    const existing = this.tools.get(tool.definition.name);
    if (existing) {
      throw new Error(`${tool.where}: tool "${tool.definition.name}" is already registered by ${existing.where}`);
    }
    this.tools.set(tool.definition.name, tool);
    this.changed('tools');
  }

  removeTool(name: string): boolean {
    const removed = this.tools.delete(name);
    if (removed) this.changed('tools');
    return removed;
  }

  getTool(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  allTools(): IterableIterator<RegisteredTool> {
    return this.tools.values();
  }

  listTools(): ToolDefinition[] {
    return (this.toolList ??= [...this.tools.values()].map((tool) => tool.definition));
  }

  addResource(resource: RegisteredResource): void {
    const existing = this.resources.get(resource.definition.uri);
    if (existing) {
      throw new Error(`${resource.where}: resource "${resource.definition.uri}" is already registered by ${existing.where}`);
    }
    this.resources.set(resource.definition.uri, resource);
    this.changed('resources');
  }

  addResourceTemplate(template: RegisteredResourceTemplate): void {
    const existing = this.templates.get(template.definition.uriTemplate);
    if (existing) {
      throw new Error(`${template.where}: resource template "${template.definition.uriTemplate}" is already registered by ${existing.where}`);
    }
    this.templates.set(template.definition.uriTemplate, template);
    this.changed('resources');
  }

  listResources(): ResourceDefinition[] {
    return (this.resourceList ??= [...this.resources.values()].map((resource) => resource.definition));
  }

  listResourceTemplates(): ResourceTemplateDefinition[] {
    return (this.templateList ??= [...this.templates.values()].map((template) => template.definition));
  }

  getResourceTemplate(uriTemplate: string): RegisteredResourceTemplate | undefined {
    return this.templates.get(uriTemplate);
  }

  /** A fixed resource wins over a template that also matches. */
  resolveResource(uri: string): ResolvedResource | undefined {
    const fixed = this.resources.get(uri);
    if (fixed) return { kind: 'static', resource: fixed, variables: {} };
    for (const template of this.templates.values()) {
      const variables = template.matcher.match(uri);
      if (variables) return { kind: 'template', resource: template, variables };
    }
    return undefined;
  }

  addPrompt(prompt: RegisteredPrompt): void {
    const existing = this.prompts.get(prompt.definition.name);
    if (existing) {
      throw new Error(`${prompt.where}: prompt "${prompt.definition.name}" is already registered by ${existing.where}`);
    }
    this.prompts.set(prompt.definition.name, prompt);
    this.changed('prompts');
  }

  getPrompt(name: string): RegisteredPrompt | undefined {
    return this.prompts.get(name);
  }

  listPrompts(): PromptDefinition[] {
    return (this.promptList ??= [...this.prompts.values()].map((prompt) => prompt.definition));
  }

  get size(): { tools: number; resources: number; resourceTemplates: number; prompts: number } {
    return {
      tools: this.tools.size,
      resources: this.resources.size,
      resourceTemplates: this.templates.size,
      prompts: this.prompts.size,
    };
  }

  /** Called after every change; the protocol edge turns it into `list_changed` notifications. */
  onChange(listener: McpRegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(kind: McpListKind): void {
    if (kind === 'tools') this.toolList = undefined;
    if (kind === 'resources') {
      this.resourceList = undefined;
      this.templateList = undefined;
    }
    if (kind === 'prompts') this.promptList = undefined;
    for (const listener of this.listeners) listener(kind);
  }
}
