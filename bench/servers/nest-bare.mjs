// Baseline: bare NestJS, no MCP library — "what Nest itself costs" per HTTP adapter. The
// pattern is Nest's own first-steps controller (docs.nestjs.com/controllers): one module,
// one controller with `@Post()` + `@HttpCode(200)` + `@Body()` at /mcp, NestFactory.create on
// the adapter named by HTTP_ADAPTER (`express`, the default, or `fastify`), logger off, Nest's
// built-in JSON body parser. It answers a tools/call of `echo` with the JSON-RPC result the
// handler returns (serialized by Nest as application/json), anything else with -32601.
// Plain JS: the decorators are applied by hand (they are plain functions).
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class McpController {
  handle(message) {
    const id = message?.id ?? null;
    if (message?.method === 'tools/call' && message.params?.name === 'echo') {
      const text = message.params.arguments?.message;
      if (typeof text === 'string') return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } };
      return { jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params: message must be a string' } };
    }
    return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
  }
}
Body()(McpController.prototype, 'handle', 0);
Reflect.decorate([Post(), HttpCode(200)], McpController.prototype, 'handle', Object.getOwnPropertyDescriptor(McpController.prototype, 'handle'));
Controller('mcp')(McpController);

class AppModule {}
Module({ controllers: [McpController] })(AppModule);

const adapterName = process.env.HTTP_ADAPTER ?? 'express';
let adapter;
if (adapterName === 'fastify') {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  adapter = new FastifyAdapter();
} else if (adapterName === 'express') {
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  adapter = new ExpressAdapter();
} else {
  console.error(`Unknown HTTP_ADAPTER ${adapterName} (express or fastify)`);
  process.exit(1);
}

const app = await NestFactory.create(AppModule, adapter, { logger: false });
await app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
