import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PinoLogger } from 'nestjs-pino';

/**
 * Paths of the Streamable HTTP endpoint. pino-http is not run on them: its per-request
 * child logger and async-context binding cost about a tenth of the endpoint's throughput.
 * They get {@link logExchange} instead: the same one `request completed` line, built only
 * when info is on. Log lines written while serving them carry `requestId` explicitly.
 */
export const MCP_ENDPOINT_PATTERN = /^\/(?:tenants\/[^/?]+\/)?mcp(?:\?|$)/;

/** Logs one `request completed` line (pino-http's shape) when the response is done. */
export function logExchange(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const logger = PinoLogger.root;
  if (!logger?.isLevelEnabled('info')) return;
  const started = performance.now();
  res.once('close', () => {
    logger.info(
      {
        requestId,
        // The logger's own req/res serializers (pino-http's, with secrets masked).
        req,
        res,
        responseTime: Math.round(performance.now() - started),
        ...(!res.writableFinished && { aborted: true }),
      },
      'request completed',
    );
  });
}
