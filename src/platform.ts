import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { createApp } from './bootstrap';
import { ConfigValidationError, loadConfig } from './config';
import type { AppConfig } from './config/app-config';
import { GracefulShutdown } from './lifecycle';

export { AppModule } from './app.module';
export { createApp } from './bootstrap';
export type { CreateAppOptions } from './bootstrap';
export { loadConfig, ConfigValidationError } from './config';
export type { AppConfig } from './config/app-config';

export interface BootstrapPlatformOptions {
  /** Your modules, served beside the built-in tool packs. */
  imports?: NonNullable<ModuleMetadata['imports']>;
  /** The config to use instead of loading it (`loadConfig()`: files and environment). */
  config?: AppConfig;
}

/**
 * Runs the whole platform — config files and environment, logging, Redis, auth, metrics,
 * health, the built-in tool packs — with your modules added, and stops it gracefully on
 * SIGTERM/SIGINT: readiness 503, in-flight requests finish, then exit 0 (1 when the grace
 * period, `shutdown.graceSeconds`, ran out first). A bad config exits 1 naming the key.
 */
export async function bootstrapPlatform(options: BootstrapPlatformOptions = {}): Promise<INestApplication> {
  let config: AppConfig;
  try {
    config = options.config ?? loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config, { imports: options.imports });
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
    // The drain runs in the app's shutdown hooks (McpModule), within graceMs minus a reserve.
    app.close().then(
      () => {
        const drained = app.get(GracefulShutdown).drainedCleanly;
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
  return app;
}
