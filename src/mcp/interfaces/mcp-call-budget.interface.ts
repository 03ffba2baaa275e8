/**
 * Charges the calls of a JSON-RPC batch against the caller's rate limits. The route guards
 * see one HTTP request before its body is read; once the edge has the body, a batch of N
 * messages costs N - 1 more. Provided under {@link MCP_CALL_BUDGET} (AuthModule gives its
 * throttler); without one, batches are bounded by `maxBatchSize` only.
 */
export interface McpCallBudget {
  /** Throws the framework's 429 when the extra calls exceed a limit; charges nothing else. */
  charge(request: object, reply: object, extraCalls: number): Promise<void>;
}

export const MCP_CALL_BUDGET = Symbol('MCP:CALL_BUDGET');
