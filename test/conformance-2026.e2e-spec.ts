import { runConformance, scenarioLines } from './helpers/conformance';
import { RunningPlatform, startPlatform } from './helpers/platform';

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
    const run = await runConformance('conformance-next', ['--url', url, '--suite', 'all', '--spec-version', '2026-07-28']);
    const scenarios = scenarioLines(run.output);
    expect(scenarios).toHaveLength(40);
    expect(scenarios.filter((line) => line.startsWith('✗'))).toEqual([]);
    expect(run.output).toMatch(/Total: \d+ passed, 0 failed/);
    expect(run.code).toBe(0);
  }, 300_000);

  it('meets every requirement of --requirements 2026-07-28 (the tasks-* extension is not scored)', async () => {
    const run = await runConformance('conformance-next', ['--url', url, '--requirements', '2026-07-28']);
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
    const run = await runConformance('conformance-next', ['--url', `http://localhost:${new URL(platform.baseUrl).port}/mcp`]);
    expect(scenarioLines(run.output).filter((line) => line.startsWith('✗'))).toEqual([]);
    expect(run.output).toMatch(/Total: \d+ passed, 0 failed/);
    expect(run.code).toBe(0);
  }, 300_000);
});
