import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AsyncAppModule } from './async.module';

/** The same tools on Fastify, under a global prefix: MCP at /api/mcp. */
async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(AsyncAppModule, new FastifyAdapter());
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}

void main();
