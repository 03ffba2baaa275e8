// Which Node.js the bench's servers run on: the one named by --node / BENCH_NODE; else this
// one when it is Node 24 or later (what the image runs); else Node 24 from the npm registry's
// `node` package, installed once into the same cache folder .ci/run uses and reused after.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const WANTED_MAJOR = 24;

const majorOf = (version) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);

function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * @param {{explicit?: string, log: (message: string) => void}} options
 * @returns {{path: string, version: string, source: string}}
 */
export function resolveBenchNode({ explicit, log }) {
  if (explicit) {
    const version = versionOf(explicit);
    if (!version) throw new Error(`BENCH_NODE / --node ${explicit} does not run`);
    return { path: explicit, version, source: 'BENCH_NODE' };
  }
  if (majorOf(process.version) >= WANTED_MAJOR) return { path: process.execPath, version: process.version, source: 'this Node' };

  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mcp-platform-node24');
  const binary = join(dir, 'node_modules', '.bin', 'node');
  let version = existsSync(binary) ? versionOf(binary) : undefined;
  if (majorOf(version ?? '') !== WANTED_MAJOR) {
    log(`Node ${process.version} is older than ${WANTED_MAJOR}: installing node@${WANTED_MAJOR} from the npm registry into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    const installed = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', `node@${WANTED_MAJOR}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    version = installed.status === 0 ? versionOf(binary) : undefined;
    if (majorOf(version ?? '') !== WANTED_MAJOR) {
      throw new Error(`could not install node@${WANTED_MAJOR} (npm exit ${installed.status}); set BENCH_NODE to a Node ${WANTED_MAJOR} binary`);
    }
  }
  return { path: binary, version, source: `npm registry's node@${WANTED_MAJOR} (${dir})` };
}
