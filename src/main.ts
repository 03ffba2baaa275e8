import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ConfigValidationError, loadConfig } from './config';
import type { AppConfig } from './config/app-config';
import { createApp } from './bootstrap';
import { GracefulShutdown } from './health';

/** Part of the grace period kept for closing the app after the drain (hooks, store connections). */
function closeReserveMs(graceMs: number): number {
  return Math.min(5000, Math.floor(graceMs / 4));
}

/**
 * SIGTERM/SIGINT: readiness 503 and drain (in-flight requests finish, streams close), then
 * close the app and exit 0 — or exit 1 when the grace period (`shutdown.graceSeconds`) runs
 * out first.
 */
async function stopGracefully(app: INestApplication, graceMs: number): Promise<boolean> {
  const drained = await app.get(GracefulShutdown).drain(graceMs - closeReserveMs(graceMs));
  await app.close();
  return drained;
}

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
  const graceMs = config.shutdown.graceSeconds * 1000;

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining (grace ${config.shutdown.graceSeconds} s)`);
    setTimeout(() => {
      logger.warn(`still closing after ${graceMs} ms: exiting`);
      process.exit(1);
    }, graceMs).unref();
    stopGracefully(app, graceMs).then(
      (drained) => {
        logger.log(drained ? 'drained: exiting' : 'closed with requests cut short: exiting');
        process.exit(drained ? 0 : 1);
      },
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
