import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';

export interface CreateAppOptions {
  /** Extra modules (your tool packs) imported beside the built-in ones. */
  imports?: ModuleMetadata['imports'];
}

/** Builds the platform's Nest application (not yet listening). */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const root: DynamicModule = AppModule.forRoot(config);
  root.imports = [...(root.imports ?? []), ...(options.imports ?? [])];
  // MCP routes read their own bodies (size limit, JSON-RPC errors); nothing else takes one.
  const app = await NestFactory.create<NestExpressApplication>(root, { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  return app;
}
