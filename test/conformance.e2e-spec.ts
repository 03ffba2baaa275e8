import { resolve } from 'node:path';
import { runConformance, scenarioLines } from './helpers/conformance';
import { RunningPlatform, startPlatform } from './helpers/platform';

const EXPECTED_FAILURES = resolve(__dirname, 'conformance', 'expected-failures.yml');

function totals(output: string): { passed: number; failed: number } {
  const match = /Total: (\d+) passed, (\d+) failed/.exec(output);
  if (!match) throw new Error(`no summary in conformance output:\n${output.slice(-3000)}`);
  return { passed: Number(match[1]), failed: Number(match[2]) };
}

describe('the official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16)', () => {
  let platform: RunningPlatform;
  let url: string;

  beforeAll(async () => {
    // Dual-stack listen: the suite requires a `localhost` URL, which may resolve to ::1.
    platform = await startPlatform({ toolPacks: { conformance: true } }, [], '::');
    url = `http://localhost:${new URL(platform.baseUrl).port}/mcp`;
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('passes every scenario of the active suite', async () => {
    const run = await runConformance('conformance', ['--url', url]);
    const scenarios = scenarioLines(run.output);
    expect(scenarios).toHaveLength(30);
    expect(scenarios.filter((line) => line.startsWith('✗'))).toEqual([]);
    const { passed, failed } = totals(run.output);
    expect(failed).toBe(0);
    // 40 checks in all; with JSON answers to tools/list one of them is INFO, not counted.
    expect(passed).toBeGreaterThanOrEqual(39);
    expect(run.code).toBe(0);
  }, 300_000);

  it('passes the pending suite except what the SDK version rules out (expected-failures.yml)', async () => {
    const run = await runConformance('conformance', ['--url', url, '--suite', 'pending', '--expected-failures', EXPECTED_FAILURES]);
    expect(run.output).toContain('json-schema-2020-12: 4 passed, 0 failed');
    expect(run.output).toContain('Baseline check passed');
    expect(run.code).toBe(0);
  }, 300_000);
});

describe('the conformance suite with SSE answers for every request', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ toolPacks: { conformance: true }, mcp: { responseMode: 'sse' } }, [], '::');
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('passes both checks of server-sse-multiple-streams', async () => {
    const url = `http://localhost:${new URL(platform.baseUrl).port}/mcp`;
    const run = await runConformance('conformance', ['--url', url, '--scenario', 'server-sse-multiple-streams']);
    expect(run.output).toMatch(/Passed: 2\/2, 0 failed, 0 warnings/);
    expect(run.code).toBe(0);
  }, 300_000);
});
