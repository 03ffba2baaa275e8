import { resolve } from 'node:path';
import { Spawned, start, stop } from './helpers/processes';

const RUNNER = resolve(__dirname, 'soak', 'run.mjs');

interface SoakCheck {
  name: string;
  ok: boolean;
  detail: string;
}

interface SoakReading {
  rssMB: number;
  heapMB: number;
  fds: number;
  sessions: number;
  inFlight: number;
  sessionKeys?: number;
  keysWithoutTtl?: string[];
}

interface SoakResult {
  ok: boolean;
  checks: SoakCheck[];
  baseline: SoakReading;
  final: SoakReading;
  rows: Array<SoakReading & { requests: number; unexpected: number }>;
  totals: { requests: number; unexpected: number; refused: number };
  samples: string[];
}

/**
 * The short form of `npm run soak`: its runner starts its own redis-server and `node
 * dist/main.js` (stateful, sessions in Redis, a 3 s TTL), sends mixed traffic for 15 s —
 * SDK sessions opened, used and ended, sessions abandoned to expire, long-lived sessions,
 * requests outside any session, bad input — then waits for quiet and reads the server's
 * /proc/<pid>/status and /proc/<pid>/fd (after a full GC), /metrics and Redis itself.
 */
describe('the short soak', () => {
  let runner: Spawned | undefined;
  let result: SoakResult;
  let output: string;

  beforeAll(async () => {
    runner = start(process.execPath, [RUNNER, '--seconds', '15', '--concurrency', '6', '--skip-build', '--json'], process.env, {
      cwd: resolve(__dirname, '..'),
    });
    const code = await runner.exited;
    output = runner.output();
    const line = output.split('\n').find((entry) => entry.startsWith('SOAK_RESULT '));
    if (!line) throw new Error(`the soak runner gave no result (exit ${code}):\n${output.slice(-3000)}`);
    result = JSON.parse(line.slice('SOAK_RESULT '.length)) as SoakResult;
  }, 90_000);

  afterAll(async () => {
    await stop(runner);
  });

  const check = (name: string) => {
    const found = result.checks.find((entry) => entry.name === name);
    if (!found) throw new Error(`no check "${name}" in:\n${output}`);
    return found;
  };

  it('sent mixed traffic and got the answer it expected every time', () => {
    expect(result.totals.requests).toBeGreaterThan(500);
    expect(result.totals.refused).toBeGreaterThan(0);
    expect({ unexpected: result.totals.unexpected, samples: result.samples }).toEqual({ unexpected: 0, samples: [] });
    // The traffic kept sessions alive while it ran.
    expect(Math.max(...result.rows.map((row) => row.sessions))).toBeGreaterThan(0);
  });

  it('evicts every session once its TTL has passed: none in mcp_sessions_active, none in Redis', () => {
    expect(check('sessions evicted after their TTL')).toMatchObject({ ok: true });
    expect(result.final.sessions).toBe(0);
    expect(check('no session left in Redis')).toMatchObject({ ok: true });
    expect(result.final.sessionKeys).toBe(0);
    expect(result.final.keysWithoutTtl).toEqual([]);
  });

  it('ends with nothing in flight', () => {
    expect(result.final.inFlight).toBe(0);
  });

  it('gives back its open descriptors (/proc/<pid>/fd)', () => {
    expect(check('open descriptors back to baseline')).toMatchObject({ ok: true });
  });

  it('comes back near its baseline memory after GC (/proc/<pid>/status VmRSS, and the JS heap)', () => {
    expect(check('RSS back near baseline')).toMatchObject({ ok: true });
    expect(check('JS heap back near baseline')).toMatchObject({ ok: true });
  });

  it('kept the server up, and the runner exits 0 only when every check passed', async () => {
    expect(check('the server stayed up')).toMatchObject({ ok: true });
    expect(result.checks.filter((entry) => !entry.ok)).toEqual([]);
    expect(await runner!.exited).toBe(0);
  });
});
