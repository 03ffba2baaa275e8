import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import { JsonRpcExceptionFilter } from './json-rpc-exception.filter';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import { JsonRpcHttpException, ParseErrorException, PayloadTooLargeException } from '../../mcp.exception';
import type { McpModuleOptions } from '../../mcp-module-options.interface';

/** The framework's request and reply (Express: Node's own; Fastify: wrappers). */
export type FrameworkRequest = { params?: Record<string, string | undefined>; body?: unknown };
export type FrameworkReply = object;

export interface McpRoute {
  verb: 'get' | 'post' | 'delete';
  /** Paths relative to the app's global prefix, `:name` for parameters. */
  paths: string[];
  handle(request: FrameworkRequest, reply: FrameworkReply): Promise<void>;
}

type Guarded = (request: FrameworkRequest, reply: FrameworkReply) => Promise<unknown>;

/** Express's body parsers, by the names body-parser gives its middleware. */
const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'rawParser', 'textParser']);

interface ExpressLayer {
  name?: string;
  route?: unknown;
}

/**
 * Mounts MCP routes on the HTTP adapter (Express or Fastify) rather than as controllers:
 * they are the platform's hot path and write their responses themselves. Each route still
 * runs the guards of its owner class (`@UseGuards(McpRouteGuard)`) and the app's global
 * guards through Nest's own guard pipeline; errors are mapped once, by
 * {@link JsonRpcExceptionFilter}. Paths honour `app.setGlobalPrefix()`. On Express the
 * routes go before the host app's body parsers, so the MCP edge reads its own bodies
 * (limit, JSON-RPC errors) whatever the host configured.
 */
@Injectable()
export class McpRouteMounter {
  private readonly logger = new Logger('McpHttp');
  private readonly filter = new JsonRpcExceptionFilter();
  /** Where the MCP routes mounted so far end in Express's stack: the next ones follow them. */
  private expressBlockEnd?: number;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly contextCreator: ExternalContextCreator,
    private readonly appConfig: ApplicationConfig,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {}

  /** The path as clients see it: under the global prefix. */
  fullPath(path: string): string {
    const prefix = this.appConfig.getGlobalPrefix();
    const joined = `/${prefix}/${path}`.replace(/\/{2,}/g, '/');
    return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
  }

  /** False where there is no HTTP server (an application context, a script). */
  get available(): boolean {
    return this.adapterHost?.httpAdapter !== undefined && this.adapterHost.httpAdapter !== null;
  }

  mount(owner: object, routes: McpRoute[]): void {
    const adapter = this.adapterHost.httpAdapter;
    const express = adapter.getType() === 'express' ? (adapter.getInstance() as { router?: { stack: ExpressLayer[] } }) : undefined;
    const before = express?.router?.stack.length ?? 0;
    const fastify = adapter.getType() === 'fastify' ? (adapter.getInstance() as FastifyLike) : undefined;
    for (const route of routes) {
      const run = this.route(this.guarded(owner, route));
      for (const path of route.paths) {
        if (fastify) this.mountOnFastify(fastify, route.verb, this.fullPath(path), run);
        else adapter[route.verb](this.fullPath(path), run);
      }
    }
    if (express?.router) this.expressBlockEnd = moveAheadOfRoutes(express.router.stack, before, this.expressBlockEnd);
    const described = routes.map((route) => `${route.verb.toUpperCase()} ${route.paths.map((path) => this.fullPath(path)).join(', ')}`);
    this.logger.log(`Mapped ${described.join('; ')}`);
  }

  /**
   * Fastify parses bodies before any handler when the host left Nest's parsers on: the
   * route gets the MCP body limit, and the parser's refusals get JSON-RPC answers.
   */
  private mountOnFastify(
    fastify: FastifyLike,
    verb: McpRoute['verb'],
    url: string,
    run: (request: FrameworkRequest, reply: FrameworkReply) => void,
  ): void {
    fastify.route({
      method: verb.toUpperCase(),
      url,
      bodyLimit: this.options.bodyLimitBytes,
      handler: run,
      errorHandler: (error: { statusCode?: number; code?: string; message: string }, request: FrameworkRequest, reply: FrameworkReply) => {
        this.filter.catch(fromFastifyError(error, this.options.bodyLimitBytes), new ExecutionContextHost([request, reply]));
      },
    });
  }

  /** The route behind its owner's guards and the global ones, as Nest runs them for a controller. */
  private guarded(owner: object, route: McpRoute): Guarded {
    const handle = route.handle.bind(owner) as (...args: unknown[]) => unknown;
    return this.contextCreator.create(
      owner,
      handle,
      route.verb,
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

interface FastifyLike {
  route(options: Record<string, unknown>): unknown;
}

/** Fastify's body-parsing refusals, as the MCP edge answers them when it reads bodies itself. */
function fromFastifyError(error: { statusCode?: number; code?: string; message: string }, limit: number): unknown {
  if (error.statusCode === HttpStatus.PAYLOAD_TOO_LARGE) return new PayloadTooLargeException(limit);
  if (error.code?.startsWith('FST_ERR_CTP_') && error.statusCode === HttpStatus.BAD_REQUEST) return new ParseErrorException();
  if (error.statusCode === HttpStatus.UNSUPPORTED_MEDIA_TYPE) {
    return new JsonRpcHttpException(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      JSONRPC_ERROR.SERVER_ERROR,
      'Unsupported Media Type: Content-Type must be application/json',
    );
  }
  return error;
}

/**
 * Moves the layers added since `from` ahead of the first body parser or route — after the
 * MCP routes mounted before them (`blockEnd`), so they stay in mounting order, Streamable
 * HTTP first. Returns where the MCP routes now end.
 */
function moveAheadOfRoutes(stack: ExpressLayer[], from: number, blockEnd: number | undefined): number {
  const added = stack.splice(from);
  const first = stack.findIndex((layer) => BODY_PARSERS.has(layer.name ?? '') || layer.route !== undefined);
  const index = blockEnd ?? (first === -1 ? stack.length : first);
  stack.splice(index, 0, ...added);
  return index + added.length;
}

/** `/tenants/:tenantId` + `/mcp` → `/tenants/:tenantId/mcp`, whatever slashes each has. */
export function joinPath(...parts: string[]): string {
  return `/${parts.join('/')}`.replace(/\/{2,}/g, '/');
}
