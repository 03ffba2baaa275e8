import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LifecycleModule } from '../lifecycle';
import { MCP_MODULE_OPTIONS } from './mcp.constants';
import { LegacySseController } from './edges/legacy-sse/legacy-sse.controller';
import { LegacySseHandler } from './edges/legacy-sse/legacy-sse.handler';
import { McpEdgeContext } from './edges/http/mcp-edge.context';
import { McpHttpEndpoint } from './edges/streamable-http/mcp-http.endpoint';
import { McpExecutor } from './execution/mcp.executor';
import { McpExplorer } from './discovery/mcp.explorer';
import { McpNotifier } from './execution/mcp.notifier';
import { McpRegistry } from './discovery/mcp.registry';
import { McpRequestRouter } from './edges/streamable-http/mcp-request.router';
import { McpSdkServerFactory } from './edges/sdk-v1/mcp-sdk.server-factory';
import { MCP_RAW_OPTIONS, McpConfigurableModule, resolveMcpOptions } from './mcp.module-definition';
import { StandaloneStreamRegistry } from './edges/streamable-http/standalone-stream.registry';
import { StreamableHttpHandler } from './edges/streamable-http/streamable-http.handler';
import { ToolsController } from './edges/http/tools.controller';

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
