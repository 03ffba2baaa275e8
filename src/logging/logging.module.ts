import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { maskHeaders } from '../common/secret-mask';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** A well-formed `X-Request-Id` from the client, or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/** Takes or makes the request id and returns it on the response (pino-http's `genReqId`, Express). */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdOf(req);
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * Structured logs with pino: one JSON line per event, the request id (`requestId`) and
 * node id on every line of a request, secret headers masked.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // Every route on both adapters (Fastify's middleware matcher needs the named form).
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.logging.level,
            base: { nodeId: config.nodeId },
            ...(config.logging.format === 'pretty' && { transport: { target: 'pino-pretty', options: { singleLine: true } } }),
            genReqId: requestIdFor,
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId' },
            autoLogging: { ignore: (req) => QUIET_PATHS.includes(req.url ?? '') },
            serializers: {
              req: (req: { id: unknown; method: string; url: string; headers: Record<string, string | undefined> }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
                headers: maskHeaders(req.headers),
              }),
            },
          },
        }),
      ],
    };
  }
}
