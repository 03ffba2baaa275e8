import 'reflect-metadata';
import { ConfigValidationError, loadConfig } from './config';
import type { AppConfig } from './config/app-config';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  new Logger('Bootstrap').log(`MCP platform listening on http://${config.http.host}:${config.http.port}/mcp (node ${config.nodeId}, ${config.sessions.mode})`);
}

void main();
