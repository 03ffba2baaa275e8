import { SetMetadata } from '@nestjs/common';
import { MCP_TOOL_METADATA, TOOL_NAME_PATTERN } from '../../mcp.constants';
import { McpDefinitionError, describeTarget } from '../mcp-definition.error';
import { McpToolOptions } from '../../interfaces/mcp-decorator-options.interface';

/**
 * Marks a provider method as an MCP tool. The method receives the validated arguments and
 * the {@link McpToolContext} (or use `@McpArgs()` / `@McpCtx()` with guards and pipes).
 *
 * @example
 * ```ts
 * @McpTool({ description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }) })
 * add({ a, b }: { a: number; b: number }) { return a + b; }
 * ```
 */
export function McpTool(options: McpToolOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = describeTarget(target, key);
    const name = options?.name ?? String(key);
    if (!TOOL_NAME_PATTERN.test(name)) {
      throw new McpDefinitionError(where, `tool name "${name}" must match ${TOOL_NAME_PATTERN}`);
    }
    if (typeof options?.description !== 'string' || options.description.trim() === '') {
      throw new McpDefinitionError(where, `tool "${name}" needs a description`);
    }
    assertPermissions(where, options.permissions);
    if (options.timeoutMs !== undefined && (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0)) {
      throw new McpDefinitionError(where, `timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    }
    const rateLimit = options.rateLimit;
    if (
      rateLimit !== undefined &&
      (!Number.isInteger(rateLimit?.limit) || rateLimit.limit <= 0 || !Number.isInteger(rateLimit.ttlSeconds) || rateLimit.ttlSeconds <= 0)
    ) {
      throw new McpDefinitionError(where, 'rateLimit needs a positive integer limit and ttlSeconds');
    }
    assertDownstream(where, options.onBehalfOf);
    SetMetadata(MCP_TOOL_METADATA, { ...options, name })(target, key, descriptor);
  };
}

/** `onBehalfOf`: an `audience` or a `resource` to ask a token for, scopes without spaces. */
function assertDownstream(where: string, downstream: unknown): void {
  if (downstream === undefined) return;
  const { audience, resource, scopes } = (downstream ?? {}) as Record<string, unknown>;
  const named = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  if (typeof downstream !== 'object' || downstream === null || (!named(audience) && !named(resource))) {
    throw new McpDefinitionError(where, 'onBehalfOf needs an audience or a resource (a non-empty string)');
  }
  if (audience !== undefined && !named(audience)) throw new McpDefinitionError(where, 'onBehalfOf.audience must be a non-empty string');
  if (resource !== undefined && !named(resource)) throw new McpDefinitionError(where, 'onBehalfOf.resource must be a non-empty string');
  if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && /^\S+$/.test(scope)))) {
    throw new McpDefinitionError(where, 'onBehalfOf.scopes must be a list of scopes without spaces');
  }
}

export function assertPermissions(where: string, permissions: unknown): void {
  if (permissions === undefined) return;
  if (!Array.isArray(permissions) || permissions.length === 0) {
    throw new McpDefinitionError(where, 'permissions must be a non-empty array of strings when given');
  }
  for (const permission of permissions) {
    if (typeof permission !== 'string' || permission.trim() === '') {
      throw new McpDefinitionError(where, `permission ${JSON.stringify(permission)} must be a non-empty string`);
    }
  }
}
