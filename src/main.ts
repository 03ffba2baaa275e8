import { startTracing } from './telemetry/tracing';

// Tracing (when OTEL_TRACES_EXPORTER asks for it) starts before the platform loads, so its
// instrumentations see http and ioredis load.
startTracing();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after tracing starts, on purpose
const { bootstrapPlatform } = require('./platform') as typeof import('./platform');

bootstrapPlatform().catch((error: Error) => {
  process.stderr.write(`Failed to start: ${error.message}\n`);
  process.exit(1);
});
