import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PinoLogger } from 'nestjs-pino';

/** The Streamable HTTP endpoint (`/mcp`, `/tenants/{id}/mcp`). */
export const MCP_ENDPOINT_PATTERN = /^\/(?:tenants\/[^/?]+\/)?mcp(?:\?|$)/;

/** Probes and scrapes: not logged, no request context. */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Request logging, started by the first hook of every request (Express middleware, Fastify
 * `onRequest`) instead of pino-http as Nest middleware. Every request but the probes gets
 * one `request completed` line when its response is done (pino-http's shape and
 * serializers, secrets masked). Log lines written while serving a request carry its
 * `requestId`: bound through nestjs-pino's async context on ordinary routes; written
 * explicitly on the MCP endpoint, which skips that context because its cost (a child logger
 * per request, async hooks on every promise, Fastify's middleware engine) was a third of
 * the endpoint's throughput on Fastify.
 */
export class RequestLogging {
  private context?: PinoLogger;

  /** The logger whose async context ordinary routes run in (available once the app exists). */
  useContextOf(logger: PinoLogger): void {
    this.context = logger;
  }

  begin(req: IncomingMessage, res: ServerResponse, requestId: string, next: () => void): void {
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (QUIET_PATHS.has(path)) return next();
    logCompletion(req, res, requestId);
    if (!this.context || MCP_ENDPOINT_PATTERN.test(url)) return next();
    this.context.runInContext(next, { bindings: { requestId } });
  }
}

/** One `request completed` line when the response is done (if info is on). */
function logCompletion(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const logger = PinoLogger.root;
  if (!logger?.isLevelEnabled('info')) return;
  const started = performance.now();
  res.once('close', () => {
    logger.info(
      {
        requestId,
        // The root logger's req/res serializers (pino-http's, with secrets masked).
        req,
        res,
        responseTime: Math.round(performance.now() - started),
        ...(!res.writableFinished && { aborted: true }),
      },
      'request completed',
    );
  });
}
