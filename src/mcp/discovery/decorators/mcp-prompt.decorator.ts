import { SetMetadata } from '@nestjs/common';
import { MCP_PROMPT_METADATA, TOOL_NAME_PATTERN } from '../../mcp.constants';
import { McpDefinitionError, describeTarget } from '../mcp-definition.error';
import { McpPromptOptions } from '../../interfaces/mcp-decorator-options.interface';

/**
 * Marks a provider method as an MCP prompt. The method receives the prompt's arguments and
 * the context, and returns a string (one user message), messages, or `{ description, messages }`.
 *
 * @example
 * ```ts
 * @McpPrompt({ description: 'Review code', arguments: [{ name: 'code', required: true }] })
 * review({ code }: { code: string }) { return `Please review:\n${code}`; }
 * ```
 */
export function McpPrompt(options: McpPromptOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = describeTarget(target, key);
    const name = options?.name ?? String(key);
    if (!TOOL_NAME_PATTERN.test(name)) {
      throw new McpDefinitionError(where, `prompt name "${name}" must match ${TOOL_NAME_PATTERN}`);
    }
    if (typeof options?.description !== 'string' || options.description.trim() === '') {
      throw new McpDefinitionError(where, `prompt "${name}" needs a description`);
    }
    const argumentNames = new Set<string>();
    for (const argument of options.arguments ?? []) {
      if (typeof argument?.name !== 'string' || argument.name === '') {
        throw new McpDefinitionError(where, `prompt "${name}" has an argument without a name`);
      }
      if (argumentNames.has(argument.name)) {
        throw new McpDefinitionError(where, `prompt "${name}" declares argument "${argument.name}" twice`);
      }
      argumentNames.add(argument.name);
    }
    for (const completed of Object.keys(options.complete ?? {})) {
      if (!argumentNames.has(completed)) {
        throw new McpDefinitionError(where, `prompt "${name}" completes "${completed}", which is not an argument`);
      }
    }
    SetMetadata(MCP_PROMPT_METADATA, { ...options, name })(target, key, descriptor);
  };
}
