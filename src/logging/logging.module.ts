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

/**
 * The request's id, taken or made once and returned on the response (Express: the first
 * middleware; pino-http's `genReqId` then finds it).
 */
export function requestIdFor(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const id = requestIdOf(req);
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The Streamable HTTP endpoint logs its exchanges itself (see exchange-log.ts). */
const MCP_ROUTES = ['mcp', 'tenants/:tenantId/mcp'].map((path) => ({ path, method: RequestMethod.ALL }));

/**
 * Structured logs with pino: one JSON line per event, the request id (`requestId`) and
 * node id on every line of a request, secret headers masked. The MCP endpoint's exchanges
 * are logged by `logExchange` (same line, lighter path).
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
          exclude: MCP_ROUTES,
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
