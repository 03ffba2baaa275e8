import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigValidationError, loadConfig } from './config';
import type { AppConfig } from './config/app-config';
import { createApp } from './bootstrap';

/** Longest wait for in-flight work after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

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
  const logger = new Logger('Bootstrap');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: closing`);
    setTimeout(() => {
      logger.warn(`still closing after ${SHUTDOWN_GRACE_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  await app.listen(config.http.port, config.http.host);
  logger.log(`MCP platform listening on http://${config.http.host}:${config.http.port}/mcp (node ${config.nodeId}, ${config.sessions.mode})`);
}

main().catch((error: Error) => {
  process.stderr.write(`Failed to start: ${error.message}\n`);
  process.exit(1);
});
