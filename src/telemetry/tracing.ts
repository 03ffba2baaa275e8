import type { NodeSDK } from '@opentelemetry/sdk-node';

/** Incoming requests not worth a trace: probes and scrapes. */
const UNTRACED_PATHS = new Set(['/health/live', '/health/ready', '/health', '/metrics']);

let sdk: NodeSDK | undefined;

/** Whether {@link startTracing} turned tracing on in this process. */
export function tracingActive(): boolean {
  return sdk !== undefined;
}

/**
 * Turns OpenTelemetry tracing on when the standard variables ask for it
 * (`OTEL_TRACES_EXPORTER=otlp` or `console`; `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL` `http/protobuf` or `http/json`, `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER[_ARG]`), with the official Node SDK and
 * the HTTP (incoming and outgoing, `fetch` too) and ioredis instrumentations. Off (the default, or `none`, or `OTEL_SDK_DISABLED`)
 * it loads nothing and costs nothing. Call it before anything imports `http` users or
 * ioredis: first thing in `main.ts` (`bootstrapPlatform` does), or `import 'mcp-platform/tracing'`.
 * Returns whether tracing is on.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk) return true;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (exporters.length === 0 || exporters.includes('none') || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  // Traces only: metrics go to Prometheus (/metrics) and logs to stdout unless asked otherwise.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on: free when off */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  /* eslint-enable @typescript-eslint/no-require-imports */
  sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?', 1)[0]),
      }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      // fetch(): tools calling other services.
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  sdk.start();
  return true;
}

/** Exports what is buffered and stops tracing (the app's shutdown calls it after the drain). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
