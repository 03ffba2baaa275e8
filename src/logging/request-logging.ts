import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PinoLogger } from 'nestjs-pino';
import { traceIds } from '../telemetry/mcp-tracing';

/** Probes and scrapes: not logged, no request context. */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Request logging, started by the first hook of every request (Express middleware, Fastify
 * `onRequest`) rather than by pino-http as Nest middleware: run as Nest middleware on every
 * route, it put Fastify's middleware engine on the MCP endpoint's path, a third of its
 * throughput. Every request but the probes gets one `request completed` line when its
 * response is done (pino-http's shape and serializers, secrets masked), and runs in
 * nestjs-pino's async context, so every line written while serving it carries its
 * `requestId` (CONTRACT.md). Probes and scrapes run outside it: they log nothing.
 */
export class RequestLogging {
  private context?: PinoLogger;

  /** The logger whose async context requests run in (available once the app exists). */
  useContextOf(logger: PinoLogger): void {
    this.context = logger;
  }

  begin(req: IncomingMessage, res: ServerResponse, requestId: string, next: () => void): void {
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (QUIET_PATHS.has(path)) return next();
    logCompletion(req, res, requestId);
    if (!this.context) return next();
    this.context.runInContext(next, { bindings: { requestId } });
  }
}

/** One `request completed` line when the response is done (if info is on). */
function logCompletion(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const logger = PinoLogger.root;
  if (!logger?.isLevelEnabled('info')) return;
  const started = performance.now();
  // The line is written after the request's span ended: its trace id is taken now.
  const trace = traceIds();
  res.once('close', () => {
    logger.info(
      {
        requestId,
        ...(trace && { traceId: trace.traceId }),
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
