import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export interface ConformanceRun {
  code: number | null;
  output: string;
}

/**
 * Runs an official conformance CLI (`package`: `conformance` 0.1.16, or `conformance-next`,
 * the alpha with the 2026-07-28 scenarios) against a server. It needs Node >= 22 (it imports
 * `fs.globSync`): this Node when it is one, else the npm registry's `node@22` through npx.
 */
export function runConformance(pkg: 'conformance' | 'conformance-next', args: string[]): Promise<ConformanceRun> {
  const cli = resolve(ROOT, 'node_modules', '@modelcontextprotocol', pkg, 'dist', 'index.js');
  const modern = Number(process.versions.node.split('.')[0]) >= 22;
  const [command, prefix] = modern ? [process.execPath, []] : ['npx', ['-y', '-p', 'node@22', 'node']];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...prefix, cli, 'server', ...args], {
      cwd: ROOT,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/** The `✓`/`✗` lines of a run, one per scenario. */
export const scenarioLines = (output: string): string[] => output.split('\n').filter((line) => /^[✓✗] /.test(line));
