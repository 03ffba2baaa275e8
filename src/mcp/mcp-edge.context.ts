import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { TenantResolver } from '../tenant/tenant.resolver';
import { HostOriginValidator } from './host-origin.validator';
import { InjectMcpOptions } from './mcp.constants';
import type { McpModuleOptions } from './mcp-module-options.interface';
import type { McpBaseContext } from './streamable-http.handler';

/** What every MCP route does first: Host/Origin check, tenant, and the request's base context. */
@Injectable()
export class McpEdgeContext {
  private readonly hosts: HostOriginValidator;

  constructor(
    private readonly tenants: TenantResolver,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {
    this.hosts = new HostOriginValidator(options.allowedHosts, options.allowedOrigins);
  }

  get bodyLimitBytes(): number {
    return this.options.bodyLimitBytes;
  }

  baseContext(req: IncomingMessage & { id?: string | number }, pathTenantId: string | undefined): McpBaseContext {
    const receivedAt = performance.now();
    this.hosts.assertAllowed(req.headers.host, req.headers.origin);
    const { tenantId, userId } = this.tenants.resolve(pathTenantId, req.headers);
    return {
      requestId: String(req.id ?? ''),
      tenantId,
      userId,
      headers: flattenHeaders(req.headers),
      nodeId: this.options.nodeId,
      receivedAt,
    };
  }
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
