import { ExecutionContext, createParamDecorator } from '@nestjs/common';

/** Tool, resource and prompt methods are called with (input, context). */
export const MCP_INPUT_ARG_INDEX = 0;
export const MCP_CONTEXT_ARG_INDEX = 1;

/**
 * Injects the validated tool arguments (template variables for resources, arguments for
 * prompts). Pipes given here run on them, as on a route's `@Body()`.
 */
export const McpArgs = createParamDecorator((_data: unknown, context: ExecutionContext) => context.getArgByIndex(MCP_INPUT_ARG_INDEX));

/** Injects the {@link McpToolContext}: request, session, tenant, signal, progress and log. */
export const McpCtx = createParamDecorator((_data: unknown, context: ExecutionContext) => context.getArgByIndex(MCP_CONTEXT_ARG_INDEX));
