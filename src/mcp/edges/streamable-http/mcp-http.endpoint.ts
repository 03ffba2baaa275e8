import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import { rawRequest, rawResponse, takeOverResponse } from '../../../common/http-objects';
import { JsonRpcExceptionFilter } from '../http/json-rpc-exception.filter';
import { isJsonContentType, readJsonRpcBody } from '../http/json-rpc.body';
import { McpEdgeContext } from '../http/mcp-edge.context';
import { StreamableHttpHandler } from './streamable-http.handler';

/** Where the endpoint is mounted (CONTRACT.md), outside any global prefix. */
export const MCP_ENDPOINT_PATHS = ['/mcp', '/tenants/:tenantId/mcp'] as const;

/** The framework's request (Express: Node's own; Fastify: a wrapper), with what the guards left. */
type FrameworkRequest = { params?: Record<string, string | undefined> };
type FrameworkReply = object;
type Verb = 'post' | 'get' | 'delete';
type Guarded = (request: FrameworkRequest, reply: FrameworkReply) => Promise<unknown>;

/**
 * The Streamable HTTP endpoint: `POST/GET/DELETE /mcp` and `/tenants/{tenantId}/mcp`.
 *
 * Mounted on the HTTP adapter (Express or Fastify) rather than declared as a controller,
 * because it is the platform's hot path: every request still passes the application's
 * global guards (authentication, tenant resolution, rate limits — and any APP_GUARD of
 * yours), run by Nest's own guard pipeline with an `http` execution context, but skips the
 * controller layers it never used (parameter decorators, interceptors, response mapping)
 * since it writes its responses itself (README "Performance" has the measurements). Errors
 * are mapped once, by {@link JsonRpcExceptionFilter}.
 *
 * `createApp` mounts it before Nest registers its own middleware and routes, so on Express it
 * is the first route a request meets; any other application gets it at module init. Nest
 * middleware, interceptors and pipes therefore do not apply to it.
 */
@Injectable()
export class McpHttpEndpoint implements OnModuleInit {
  private readonly logger = new Logger('McpHttp');
  private readonly filter = new JsonRpcExceptionFilter();
  private mounted = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly contextCreator: ExternalContextCreator,
    private readonly handler: StreamableHttpHandler,
    private readonly edge: McpEdgeContext,
  ) {}

  onModuleInit(): void {
    this.mount();
  }

  /** Registers the endpoint's routes on the HTTP adapter (once). */
  mount(): void {
    const adapter = this.adapterHost?.httpAdapter;
    // An application context without HTTP (a script, a test module) has nothing to mount on.
    if (this.mounted || !adapter) return;
    this.mounted = true;
    for (const verb of ['post', 'get', 'delete'] as const) {
      const route = this.route(this.guarded(verb));
      for (const path of MCP_ENDPOINT_PATHS) adapter[verb](path, route);
    }
    this.logger.log(`Mapped POST, GET, DELETE ${MCP_ENDPOINT_PATHS.join(', ')}`);
  }

  async post(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    const base = this.edge.baseContext(request, req, res, request.params?.tenantId);
    if (!isJsonContentType(req.headers['content-type'])) return this.handler.refuse(req, res);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes);
    await this.handler.post(req, res, body, base);
  }

  async get(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    await this.handler.get(req, res, this.edge.baseContext(request, req, res, request.params?.tenantId));
  }

  async delete(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    await this.handler.delete(req, res, this.edge.baseContext(request, req, res, request.params?.tenantId));
  }

  /** The verb's method behind the global guards, as Nest runs them for a route. */
  private guarded(verb: Verb): Guarded {
    const method = this[verb] as unknown as (...args: unknown[]) => unknown;
    return this.contextCreator.create(
      this,
      method,
      verb,
      undefined,
      undefined,
      undefined,
      undefined,
      { guards: true, interceptors: false, filters: false },
      'http',
    ) as unknown as Guarded;
  }

  private route(run: Guarded) {
    return (request: FrameworkRequest, reply: FrameworkReply): void => {
      run(request, reply).catch((error: unknown) => this.filter.catch(error, new ExecutionContextHost([request, reply])));
    };
  }
}

function take(request: FrameworkRequest, reply: FrameworkReply) {
  // Fastify: the endpoint writes the Node response itself.
  takeOverResponse(reply);
  return [rawRequest(request), rawResponse(reply)] as const;
}
