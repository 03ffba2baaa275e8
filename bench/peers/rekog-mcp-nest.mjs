// Peer: @rekog/mcp-nest 2.x — the best-known third-party NestJS MCP library — with its
// documented setup (README "Quick Start", docs/protocol-revisions.md): 2.x has no
// McpModule.forRoot() any more; an McpStrategy (a Nest microservice transport strategy) with
// one `new StreamableHttpTransport()` is connected to a NestFactory.create() app on
// Nest's default Express adapter, and an `@McpController()` class carries the `echo` tool as
// `@Tool({ name, description, parameters: z.object(...) })` + `@Payload()`.
// Default transport settings, which rekog documents as: endpoint POST /mcp (GET/DELETE 405),
// protocol 'dual' — one endpoint serves the 2025-era protocol and revision 2026-07-28;
// 2025-era leg stateless (statefulMode: false): a new McpServer + SDK v2
// NodeStreamableHTTPServerTransport per request, no initialize and no session needed, and
// enableJsonResponse defaults to !statefulMode, i.e. plain application/json answers (not SSE);
// 2026-07-28 leg (a request with the `_meta` envelope): the SDK v2 createMcpHandler entry,
// responseMode 'auto' (JSON unless the tool emits a notification first); no Host/Origin
// validation (security off by default). Logger limited to errors and warnings (nothing is
// logged per request). Its modules — its own Nest 12 / SDK v2 / zod tree, pinned in
// bench/peers/package.json — resolve from bench/peers/node_modules (bench/lib/peers.mjs
// installs them with npm ci). Plain JS: the decorators are applied by hand.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { McpController, McpStrategy, StreamableHttpTransport, Tool } from '@rekog/mcp-nest';
import { z } from 'zod';

class EchoController {
  echo({ message }) {
    return { content: [{ type: 'text', text: message }] };
  }
}
Payload()(EchoController.prototype, 'echo', 0);
Object.defineProperty(
  EchoController.prototype,
  'echo',
  Reflect.decorate(
    [
      Tool({
        name: 'echo',
        description: 'Echo a message back',
        parameters: z.object({ message: z.string().describe('Message to echo') }),
      }),
    ],
    EchoController.prototype,
    'echo',
    Object.getOwnPropertyDescriptor(EchoController.prototype, 'echo'),
  ),
);
McpController()(EchoController);

const mcp = new McpStrategy({
  name: 'rekog-mcp-nest-bench',
  version: '1.0.0',
  transports: [new StreamableHttpTransport()],
});

class AppModule {}
Module({ controllers: [EchoController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
mcp.setHttpAdapter(app.getHttpAdapter());
app.connectMicroservice({ strategy: mcp });
await app.startAllMicroservices();
await app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
