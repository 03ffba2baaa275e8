import { readFileSync, readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseSamples } from './prometheus';

/** Resident memory and open file descriptors of a process on this machine (Linux `/proc`). */
export interface ProcessFigures {
  rssBytes: number;
  fds: number;
}

export function processFigures(pid: number): ProcessFigures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return { rssBytes: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** The sum of every sample of a metric on `GET /metrics` (e.g. `mcp_active_requests` over its methods). */
export async function metricSum(baseUrl: string, name: string): Promise<number> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseSamples(await response.text())
    .filter((sample) => sample.name === name)
    .reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * Runs `workers` loops of `step` side by side until `running()` turns false; each loop
 * finishes its current step first. Resolves when all have stopped, rejects with the first
 * error a step threw (the other loops still stop cleanly).
 */
export async function loadLoops(workers: number, running: () => boolean, step: (worker: number, iteration: number) => Promise<void>): Promise<void> {
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let iteration = 0; running(); iteration += 1) await step(worker, iteration);
  });
  const settled = await Promise.allSettled(loops);
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A fetch failure below HTTP (connection refused or reset, socket closed): what a killed server
 * gives. Read by shape, not `instanceof`: fetch's errors come from another realm than Jest's.
 */
export function isTransportError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error as Failure | undefined; current && typeof current === 'object' && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current.code && /^(ECONNREFUSED|ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNABORTED)$/.test(current.code)) return true;
    if (current.message === 'fetch failed' || current.message === 'terminated' || /other side closed/.test(current.message ?? '')) return true;
  }
  return false;
}

interface Failure {
  message?: string;
  code?: string;
  cause?: Failure;
}

/**
 * A full garbage collection in this process (Jest's, where in-process platforms run), so
 * heap readings compare what is still referenced, not garbage not yet collected.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: object) => void;
  // V8's "last resort" collection also gives freed pages back, as under memory pressure.
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/** Open file descriptors of this process: its sockets (server and client side) among them. */
export function ownDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}
