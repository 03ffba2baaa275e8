/**
 * The embedded defaults: the lowest layer, the one place defaults are set (config/default.yaml
 * restates them, and a spec checks it does). YAML files, the environment and overrides
 * override them key by key (`loadConfig()`).
 */
export const CONFIG_DEFAULTS = {
  sessions: { mode: 'stateful', ttlSeconds: 1800, maxPerPrincipal: 1000, maxPerTenant: 10_000 },
  toolPacks: { calculator: true, diagnostics: true, examples: true, conformance: false },
  gateway: { trustTenantHeaders: false },
  http: {
    adapter: 'express',
    port: 3000,
    host: '0.0.0.0',
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    allowedOrigins: [],
    bodyLimitBytes: 1024 * 1024,
  },
  mcp: {
    defaultToolTimeoutMs: 30_000,
    responseMode: 'auto',
    retryIntervalMs: 1000,
    maxBatchSize: 100,
    maxClientStateBytes: 16 * 1024,
    protocol: 'dual',
    stateKeys: [],
    requestStateTtlSeconds: 600,
    fastPaths: true,
  },
  logging: { level: 'info', format: 'json' },
  auth: { apiKeys: [], allowAnonymous: true },
  tenants: {},
  rateLimit: { default: { limit: 600, ttlSeconds: 60 } },
  redis: {
    mode: 'standalone',
    keyPrefix: 'mcp:',
    sentinels: [],
    sentinelName: 'mymaster',
    clusterNodes: [],
    commandTimeoutMs: 2000,
    maxEventsPerStream: 1000,
    completedStreamTtlSeconds: 300,
  },
  metrics: { enabled: true, defaultMetrics: true, tenantLabelLimit: 100 },
  shutdown: { graceSeconds: 20 },
  audit: { enabled: true, arguments: 'omit', argumentsInFull: [] },
} as const;
