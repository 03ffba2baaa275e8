/** The short documents served by the `examples://docs/{topic}` resource template. */
export const EXAMPLE_DOCS: Record<string, string> = {
  'getting-started': '# Getting started\n\nRun `npm ci && npm start`, then point an MCP client at http://localhost:3000/mcp.',
  tools: '# Tools\n\nMark a provider method with `@McpTool({ description, input })`; the explorer finds it at start.',
  sessions: '# Sessions\n\nStateful mode issues `Mcp-Session-Id` at initialize and keeps the session in the store.',
  tenants: '# Tenants\n\nUse `/tenants/{tenantId}/mcp`; the session is bound to that tenant.',
};
