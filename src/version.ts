import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The platform's version from package.json (same path from `src/` and `dist/`). */
export const PLATFORM_VERSION: string = (JSON.parse(readFileSync(resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
