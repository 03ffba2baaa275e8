// The platform with exactly 100 tools, started in-process from the built dist/ through the
// exported createApp(config, { imports }) — no src/ change. The built-in packs are switched
// off; one provider class gets 100 methods generated at run time, each decorated with
// McpTool({...}) (decorators are plain functions). Environment as for dist/main.js.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Injectable, Module } = require('@nestjs/common');
const { z } = require('zod');
const { createApp } = require('../../dist/bootstrap.js');
const { loadConfig } = require('../../dist/config/index.js');
const { McpTool } = require('../../dist/mcp/index.js');

export const TOOL_COUNT = Number(process.env.BENCH_TOOL_COUNT ?? 100);

class BenchToolsProvider {}
for (let i = 0; i < TOOL_COUNT; i++) {
  const name = `bench_tool_${String(i).padStart(3, '0')}`;
  Object.defineProperty(BenchToolsProvider.prototype, name, {
    value: function ({ message, repeat }) {
      return `${name}: ${String(message).repeat(repeat ?? 1)}`;
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  McpTool({
    description: `Benchmark tool #${i}: echoes a message, optionally repeated (generated at run time).`,
    input: z.object({
      message: z.string().describe('Message to echo'),
      repeat: z.number().int().min(1).max(10).optional().describe('How many times to repeat it'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  })(BenchToolsProvider.prototype, name, Object.getOwnPropertyDescriptor(BenchToolsProvider.prototype, name));
}
Injectable()(BenchToolsProvider);

class BenchToolsModule {}
Module({ providers: [BenchToolsProvider] })(BenchToolsModule);

const config = loadConfig({
  overrides: { toolPacks: { calculator: false, diagnostics: false, examples: false, conformance: false } },
});
const app = await createApp(config, { imports: [BenchToolsModule] });
await app.listen(config.http.port, config.http.host);
process.once('SIGTERM', () => app.close().finally(() => process.exit(0)));
process.once('SIGINT', () => app.close().finally(() => process.exit(0)));
