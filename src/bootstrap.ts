import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule, INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { REQUEST_ID_HEADER, requestIdFor, requestIdOf } from './logging/logging.module';
import { RequestLogging } from './logging/request-logging';
import type { AppConfig } from './config/app-config';

export interface CreateAppOptions {
  /** Extra modules (your tool packs) imported beside the built-in ones. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Builds the platform's Nest application (not yet listening) on Express (default) or
 * Fastify (`http.adapter`), with request ids and request logging set up before routing.
 * MCP routes read their own bodies (size limit, JSON-RPC errors), so neither framework
 * parses one.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const root: DynamicModule = AppModule.forRoot(config, options.imports ?? []);
  const logging = new RequestLogging();
  const app = config.http.adapter === 'fastify' ? await createOnFastify(root, config, logging) : await createOnExpress(root, logging);
  app.useLogger(app.get(Logger));
  logging.useContextOf(await app.resolve(PinoLogger));
  return app;
}

// Each adapter is loaded only when chosen: the other one's framework stays out of memory.
async function createOnExpress(root: DynamicModule, logging: RequestLogging): Promise<INestApplication> {
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  const app = await NestFactory.create<NestExpressApplication>(root, new ExpressAdapter(), { bodyParser: false, bufferLogs: true });
  app.disable('x-powered-by');
  // First of all middleware: every response carries the request id, refusals by guards too.
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    logging.begin(req, res, requestIdFor(req, res), next);
  });
  return app;
}

async function createOnFastify(root: DynamicModule, config: AppConfig, logging: RequestLogging): Promise<INestApplication> {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  // Fastify names requests itself: make it ours.
  const adapter = new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes, maxParamLength: 256, genReqId: requestIdOf });
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    // On the Node response, so replies the MCP edge writes itself carry it too.
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    (request.raw as IncomingMessage & { id?: string }).id = request.id;
    logging.begin(request.raw, reply.raw, request.id, done);
  });
  // Leave every body unread: the MCP edge reads the stream itself.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  return NestFactory.create(root, adapter, { bodyParser: false, bufferLogs: true });
}
