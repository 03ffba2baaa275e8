import { bootstrapPlatform } from './platform';

bootstrapPlatform().catch((error: Error) => {
  process.stderr.write(`Failed to start: ${error.message}\n`);
  process.exit(1);
});
