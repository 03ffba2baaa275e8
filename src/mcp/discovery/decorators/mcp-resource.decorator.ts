import { SetMetadata } from '@nestjs/common';
import { MCP_RESOURCE_METADATA } from '../../mcp.constants';
import { McpDefinitionError, describeTarget } from '../mcp-definition.error';
import { McpResourceOptions } from '../../interfaces/mcp-decorator-options.interface';
import { UriTemplateMatcher } from '../uri-template';

/**
 * Marks a provider method as an MCP resource (fixed `uri`) or resource template
 * (`uriTemplate`). The method receives the template variables (an empty object for a fixed
 * URI) and the context, and returns text, a contents object or an array of them.
 *
 * @example
 * ```ts
 * @McpResource({ uriTemplate: 'notes://{id}', name: 'note', mimeType: 'text/plain' })
 * note({ id }: { id: string }) { return this.notes.get(id); }
 * ```
 */
export function McpResource(options: McpResourceOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = describeTarget(target, key);
    if (typeof options?.name !== 'string' || options.name.trim() === '') {
      throw new McpDefinitionError(where, 'resource needs a name');
    }
    const hasUri = typeof options.uri === 'string' && options.uri !== '';
    const hasTemplate = typeof options.uriTemplate === 'string' && options.uriTemplate !== '';
    if (hasUri === hasTemplate) {
      throw new McpDefinitionError(where, `resource "${options.name}" needs exactly one of uri or uriTemplate`);
    }
    if (hasUri && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(options.uri!)) {
      throw new McpDefinitionError(where, `resource uri "${options.uri}" must be an absolute URI`);
    }
    if (hasTemplate) {
      try {
        const variables = new UriTemplateMatcher(options.uriTemplate!).variables;
        for (const name of Object.keys(options.complete ?? {})) {
          if (!variables.includes(name)) {
            throw new Error(`completion for "${name}", which is not a variable of the template`);
          }
        }
      } catch (error) {
        throw new McpDefinitionError(where, (error as Error).message);
      }
    } else if (options.complete) {
      throw new McpDefinitionError(where, 'completions need a uriTemplate');
    }
    SetMetadata(MCP_RESOURCE_METADATA, options)(target, key, descriptor);
  };
}
