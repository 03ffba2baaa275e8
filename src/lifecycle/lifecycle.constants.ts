/** Milliseconds the shutdown drain waits for in-flight requests (McpModule's `drainTimeoutMs`). */
export const DRAIN_TIMEOUT_MS = 'LIFECYCLE:DRAIN_TIMEOUT_MS';
