import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LifecycleModule } from '../lifecycle';
import { MCP_MODULE_OPTIONS } from './mcp.constants';
import { LegacySseController } from './legacy-sse.controller';
import { LegacySseHandler } from './legacy-sse.handler';
import { McpEdgeContext } from './mcp-edge.context';
import { McpHttpEndpoint } from './mcp-http.endpoint';
import { McpExecutor } from './mcp.executor';
import { McpExplorer } from './mcp.explorer';
import { McpNotifier } from './mcp.notifier';
import { McpRegistry } from './mcp.registry';
import { McpRequestRouter } from './mcp-request.router';
import { McpSdkServerFactory } from './mcp-sdk.server-factory';
import { MCP_RAW_OPTIONS, McpConfigurableModule, resolveMcpOptions } from './mcp.module-definition';
import { StandaloneStreamRegistry } from './standalone-stream.registry';
import { StreamableHttpHandler } from './streamable-http.handler';
import { ToolsController } from './tools.controller';

/**
 * The protocol edge: serves MCP over Streamable HTTP and exposes every `@McpTool`,
 * `@McpResource` and `@McpPrompt` method of the application's providers.
 * Needs a `SessionStore` (SessionModule) and a `TenantResolver` (TenantModule).
 */
@Module({
  imports: [DiscoveryModule, LifecycleModule],
  controllers: [LegacySseController, ToolsController],
  providers: [
    { provide: MCP_MODULE_OPTIONS, useFactory: resolveMcpOptions, inject: [MCP_RAW_OPTIONS] },
    McpRegistry,
    McpExplorer,
    McpExecutor,
    McpSdkServerFactory,
    StandaloneStreamRegistry,
    StreamableHttpHandler,
    McpRequestRouter,
    McpNotifier,
    McpEdgeContext,
    McpHttpEndpoint,
    LegacySseHandler,
  ],
  exports: [McpRegistry, McpExecutor, McpNotifier, MCP_MODULE_OPTIONS],
})
export class McpModule extends McpConfigurableModule {}
