import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { RunningPlatform, startPlatform } from './helpers/platform';

const ROOT = resolve(__dirname, '..');
// The suite's pre-release with the 2026-07-28 scenarios, installed beside 0.1.16 under an alias.
const CLI = resolve(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance-next', 'dist', 'index.js');

interface Run {
  code: number | null;
  output: string;
}

/** Runs the conformance CLI (Node >= 22: this Node when it is, else the npm registry's node@22). */
function conformance(args: string[]): Promise<Run> {
  const modern = Number(process.versions.node.split('.')[0]) >= 22;
  const [command, prefix] = modern ? [process.execPath, []] : ['npx', ['-y', '-p', 'node@22', 'node']];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...prefix, CLI, 'server', ...args], {
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

const scenarioLines = (output: string) => output.split('\n').filter((line) => /^[✓✗] /.test(line));

describe.each(['stateless', 'stateful'] as const)('the conformance suite at 2026-07-28 (0.2.0-alpha.12, %s)', (mode) => {
  let platform: RunningPlatform;
  let url: string;

  beforeAll(async () => {
    platform = await startPlatform({ toolPacks: { conformance: true }, sessions: { mode } }, [], '::');
    url = `http://localhost:${new URL(platform.baseUrl).port}/mcp`;
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('passes all 40 scenarios of --suite all, on the endpoint that serves 2025 clients too', async () => {
    const run = await conformance(['--url', url, '--suite', 'all', '--spec-version', '2026-07-28']);
    const scenarios = scenarioLines(run.output);
    expect(scenarios).toHaveLength(40);
    expect(scenarios.filter((line) => line.startsWith('✗'))).toEqual([]);
    expect(run.output).toMatch(/Total: \d+ passed, 0 failed/);
    expect(run.code).toBe(0);
  }, 300_000);

  it('meets every requirement of --requirements 2026-07-28 (the tasks-* extension is not scored)', async () => {
    const run = await conformance(['--url', url, '--requirements', '2026-07-28']);
    const failed = scenarioLines(run.output).filter((line) => line.startsWith('✗') && !line.startsWith('✗ tasks-'));
    expect(failed).toEqual([]);
    expect(run.code).toBe(0);
  }, 300_000);
});

describe('the 2025 wire of the same suite version', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ toolPacks: { conformance: true } }, [], '::');
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('passes its default (active) suite at 2025-11-25 beside the 2026 leg', async () => {
    const run = await conformance(['--url', `http://localhost:${new URL(platform.baseUrl).port}/mcp`]);
    expect(scenarioLines(run.output).filter((line) => line.startsWith('✗'))).toEqual([]);
    expect(run.output).toMatch(/Total: \d+ passed, 0 failed/);
    expect(run.code).toBe(0);
  }, 300_000);
});
