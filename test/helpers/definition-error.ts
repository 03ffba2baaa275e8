import { McpDefinitionError } from '../../src/mcp/discovery/mcp-definition.error';

/** Runs `declare` (which applies a decorator) and returns the McpDefinitionError it throws. */
export function definitionError(declare: () => unknown): McpDefinitionError {
  try {
    declare();
  } catch (error) {
    expect(error).toBeInstanceOf(McpDefinitionError);
    return error as McpDefinitionError;
  }
  throw new Error('expected the declaration to throw');
}
