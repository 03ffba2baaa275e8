'use strict';
// GC pause probe, preloaded into a server under test:
//   node --require /abs/path/bench/lib/gc-probe.cjs dist/main.js   (env BENCH_GC_FILE=/tmp/x.json)
// Records the duration and kind of every GC since start (or the last report). On SIGUSR2 it
// writes {count, p50, p99, max, totalMs, byKind, sinceMs, memory, …} to BENCH_GC_FILE (tmp
// file + rename, so a reader never sees half a file) and starts a new window.
//
// It must not change the server otherwise: the GC observer and the signal listener hold no
// ref on the event loop (Node unrefs signal handles; a GC observer has no handle), there are
// no timers, and nothing happens between reports except one array push per GC. Without
// BENCH_GC_FILE it does nothing at all (SIGUSR2 then keeps its default: terminate).
//
// Opt-in, for memory measurements only: with BENCH_GC_FORCE=1, a report for which the file
// `<BENCH_GC_FILE>.gc-request` exists (the reader creates it before the signal) also runs two
// full GCs after taking the figures and adds `memoryAfterGc` — what the heap retains, without
// the garbage and heap growth that make a plain heapUsed/RSS reading swing by tens of MB. The
// forced GCs are left out of the pause figures. `gc` comes from --expose-gc set at preload
// time and taken from a fresh context (the main context was made before the flag).
const perfHooks = require('node:perf_hooks');
const { constants } = perfHooks;
const { existsSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');

const file = process.env.BENCH_GC_FILE;

if (file) {
  const requestFile = `${file}.gc-request`;
  let forceGc;
  if (process.env.BENCH_GC_FORCE === '1') {
    require('node:v8').setFlagsFromString('--expose-gc');
    forceGc = require('node:vm').runInNewContext('gc');
  }
  const KINDS = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };

  // Durations per kind; plain number arrays stay unboxed (PACKED_DOUBLE), so a long window
  // costs 8 bytes per GC — a few hundred KB for a 10-minute load.
  let byKind = {};
  let windowStart = perfHooks.performance.now();
  let seq = 0;

  const record = (entries) => {
    for (const entry of entries) {
      // Entries that started before the window (delivered late, the observer is async) belong to the last one.
      if (entry.startTime < windowStart) continue;
      const kind = KINDS[entry.detail?.kind] ?? `kind${entry.detail?.kind}`;
      (byKind[kind] ??= []).push(entry.duration);
    }
  };
  const observer = new perfHooks.PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });

  const percentile = (sorted, p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  const round = (n) => Math.round(n * 1000) / 1000;
  const summarize = (durations) => {
    const sorted = Float64Array.from(durations).sort();
    const total = durations.reduce((a, b) => a + b, 0);
    return {
      count: sorted.length,
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.length ? sorted[sorted.length - 1] : 0),
      totalMs: round(total),
    };
  };

  // GC entries reach the observer through immediates queued by the GC epilogue, and a signal
  // handler runs in the poll phase, before them: report from an immediate (two, to come after
  // the observer's own delivery) and take whatever is still buffered, so no pause is missed.
  process.on('SIGUSR2', () => setImmediate(() => setImmediate(report)));

  function report() {
    record(observer.takeRecords());
    const now = perfHooks.performance.now();
    const all = Object.values(byKind).flat();
    const kinds = {};
    for (const [kind, durations] of Object.entries(byKind)) kinds[kind] = summarize(durations);
    const pick = (m) => ({ rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
    const memory = process.memoryUsage();
    const stats = {
      pid: process.pid,
      seq: ++seq,
      ...summarize(all),
      byKind: kinds,
      sinceMs: round(now - windowStart),
      // ms of GC per second of wall time in the window: the throughput cost, beside the pauses.
      gcMsPerSec: round(now > windowStart ? (all.reduce((a, b) => a + b, 0) / (now - windowStart)) * 1000 : 0),
      memory: pick(memory),
      writtenAt: Date.now(),
    };
    byKind = {};
    windowStart = now;
    if (forceGc && existsSync(requestFile)) {
      try {
        unlinkSync(requestFile);
      } catch {}
      // Twice: the first runs finalizers/weak callbacks whose garbage the second collects.
      forceGc();
      forceGc();
      stats.memoryAfterGc = pick(process.memoryUsage());
      // The forced GCs' entries arrive later with start times before this: dropped.
      windowStart = perfHooks.performance.now();
    }
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(stats)}\n`);
      renameSync(tmp, file);
    } catch (error) {
      process.stderr.write(`gc-probe: cannot write ${file}: ${error.message}\n`);
    }
  }
}
