import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { maskHeaders, maskQuery } from '../common/secret-mask';
import { traceIds } from '../telemetry/mcp-tracing';
import { tracingActive } from '../telemetry/tracing';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A well-formed `X-Request-Id` from the client, or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/** The request's id, taken or made once and returned on the response (Express's first middleware). */
export function requestIdFor(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const id = requestIdOf(req);
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * Structured logs with pino: one JSON line per event, the request id (`requestId`) and
 * node id on every line of a request, secret headers masked. nestjs-pino bridges Nest's
 * Logger to pino; requests are logged by {@link RequestLogging} (see there why not by
 * pino-http as Nest middleware), through the pino-http instance built here.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // No route: RequestLogging starts every request's logging before routing.
          forRoutes: [],
          pinoHttp: {
            level: config.logging.level,
            base: { nodeId: config.nodeId },
            // With tracing on, every line written inside a span carries its trace and span ids.
            ...(tracingActive() && { mixin: () => traceIds() ?? {} }),
            ...(config.logging.format === 'pretty' && { transport: { target: 'pino-pretty', options: { singleLine: true } } }),
            serializers: {
              req: (req: { id: unknown; method: string; url: string; headers: Record<string, string | undefined> }) => ({
                id: req.id,
                method: req.method,
                url: maskQuery(req.url),
                headers: maskHeaders(req.headers),
              }),
            },
          },
        }),
      ],
    };
  }
}
