/**
 * `import 'mcp-platform/tracing'` as the first import of an app's `main.ts` (or
 * `node --require mcp-platform/tracing`): turns tracing on from the OTEL_* variables before
 * the modules it instruments load. `bootstrapPlatform()` needs none of this.
 */
import { startTracing } from './tracing';

startTracing();
