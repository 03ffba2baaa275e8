import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { maskHeaders } from '../common/secret-mask';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** Takes a well-formed `X-Request-Id` from the client or makes one, and returns it on the response. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
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
