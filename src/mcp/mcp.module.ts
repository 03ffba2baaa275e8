import { McpTracing } from '../telemetry/mcp-tracing';
import { ModernHttpHandler } from './edges/modern/modern-http.handler';
import { ModernEventBus } from './edges/modern/modern-event.bus';
import { ModernServerFactory } from './edges/modern/modern-server.factory';
import { ModernToolCallFastPath } from './edges/modern/modern-tool-call.fast-path';
import { ToolCallFastPath } from './edges/streamable-http/tool-call.fast-path';
import { RequestStateSealer } from './edges/modern/request-state.sealer';
import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DRAIN_TIMEOUT_MS, GracefulShutdown, LifecycleModule } from '../lifecycle';
import { McpExplorer } from './discovery/mcp.explorer';
import { McpRegistry } from './discovery/mcp.registry';
import { LegacySseEndpoint } from './edges/legacy-sse/legacy-sse.endpoint';
import { LegacySseHandler } from './edges/legacy-sse/legacy-sse.handler';
import { McpEdgeContext } from './edges/http/mcp-edge.context';
import { McpRouteGuard } from './edges/http/mcp-route.guard';
import { McpRouteMounter } from './edges/http/mcp-route.mounter';
import { SessionCaps } from './edges/http/session-caps';
import { ToolsController } from './edges/http/tools.controller';
import { McpSdkServerFactory } from './edges/sdk-v1/mcp-sdk.server-factory';
import { McpHttpEndpoint } from './edges/streamable-http/mcp-http.endpoint';
import { McpRequestRouter } from './edges/streamable-http/mcp-request.router';
import { StandaloneStreamRegistry } from './edges/streamable-http/standalone-stream.registry';
import { StreamableHttpHandler } from './edges/streamable-http/streamable-http.handler';
import { McpExecutor } from './execution/mcp.executor';
import { McpNotifier } from './execution/mcp.notifier';
import { McpToolGate } from './execution/mcp-tool.gate';
import { MCP_MODULE_OPTIONS } from './mcp.constants';
import { MCP_OPTIONS_TYPE, MCP_RAW_OPTIONS, McpConfigurableModule, resolveMcpOptions } from './mcp.module-definition';
import type { McpModuleOptions } from './mcp-module-options.interface';
import { McpPorts } from './mcp.ports';

/**
 * Serves MCP — Streamable HTTP on `/mcp` (and `/tenants/{tenantId}/mcp`), the legacy
 * HTTP+SSE transport, `/tools` — with every `@McpTool`, `@McpResource` and `@McpPrompt`
 * method of the application's providers, whatever module they are in.
 *
 * `McpModule.forRoot()` works alone: sessions in memory, no auth. Other modules fill its
 * ports when imported: SessionModule + RedisModule (shared sessions), TenantModule,
 * AuthModule (guards on the MCP routes only), MetricsModule. Drains in-flight requests on
 * shutdown (`app.close()`, or a signal with `app.enableShutdownHooks()`).
 */
@Module({
  imports: [DiscoveryModule, LifecycleModule],
  controllers: [ToolsController],
  providers: [
    { provide: MCP_MODULE_OPTIONS, useFactory: resolveMcpOptions, inject: [MCP_RAW_OPTIONS] },
    { provide: DRAIN_TIMEOUT_MS, useFactory: (options: McpModuleOptions) => options.drainTimeoutMs, inject: [MCP_MODULE_OPTIONS] },
    McpPorts,
    McpRegistry,
    McpExplorer,
    McpExecutor,
    McpToolGate,
    McpTracing,
    RequestStateSealer,
    ModernServerFactory,
    ModernToolCallFastPath,
    ToolCallFastPath,
    ModernHttpHandler,
    ModernEventBus,
    McpSdkServerFactory,
    StandaloneStreamRegistry,
    StreamableHttpHandler,
    McpRequestRouter,
    McpNotifier,
    McpEdgeContext,
    SessionCaps,
    McpRouteGuard,
    McpRouteMounter,
    McpHttpEndpoint,
    LegacySseHandler,
    LegacySseEndpoint,
    GracefulShutdown,
  ],
  exports: [McpRegistry, McpExecutor, McpNotifier, McpToolGate, McpPorts, GracefulShutdown, MCP_MODULE_OPTIONS],
})
export class McpModule extends McpConfigurableModule {
  /** Every option has a default: `forRoot()` serves `/mcp`, stateful, in memory. */
  static override forRoot(options: typeof MCP_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
