import { ConfigurableModuleBuilder } from '@nestjs/common';
import { PLATFORM_VERSION } from '../version';
import { MCP_SERVER_NAME } from './mcp.constants';
import type { McpModuleOptions } from './mcp-module-options.interface';

export const {
  ConfigurableModuleClass: McpConfigurableModule,
  MODULE_OPTIONS_TOKEN: MCP_RAW_OPTIONS,
  OPTIONS_TYPE: MCP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MCP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<Partial<McpModuleOptions>>()
  .setClassMethodName('forRoot')
  // Global by default: tool packs inject the registry without importing McpModule.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

export const MCP_DEFAULT_OPTIONS: McpModuleOptions = {
  serverInfo: { name: MCP_SERVER_NAME, version: PLATFORM_VERSION },
  sessionMode: 'stateful',
  defaultToolTimeoutMs: 30_000,
  responseMode: 'auto',
  allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
  allowedOrigins: [],
  bodyLimitBytes: 1024 * 1024,
  maxBatchSize: 100,
  maxClientStateBytes: 16 * 1024,
  nodeId: 'local',
  retryIntervalMs: 1000,
  path: '/mcp',
  tenantPrefix: '/tenants/:tenantId',
  legacySse: { ssePath: '/sse', messagesPath: '/messages' },
  sessionTtlSeconds: 1800,
  maxSessionsPerPrincipal: 1000,
  maxSessionsPerTenant: 10_000,
  drainTimeoutMs: 10_000,
  protocol: 'dual',
  stateKeys: [],
  requestStateTtlSeconds: 600,
  fastPaths: true,
};

/** Defaults merged in one place. */
export function resolveMcpOptions(options: Partial<McpModuleOptions> | undefined): McpModuleOptions {
  const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  return { ...MCP_DEFAULT_OPTIONS, ...defined };
}
