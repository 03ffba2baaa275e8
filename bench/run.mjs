#!/usr/bin/env node
// npm run bench [-- options]   (--help lists them)
//
// Starts the platform in every mode it ships (Express and Fastify × stateless, stateful with
// the memory store, stateful with Redis; 2025-11-25 and 2026-07-28 requests) beside baselines
// and peers (raw node:http, bare Nest per adapter, the SDK v1 stateless and stateful
// examples, the SDK v2 createMcpHandler server, @rekog/mcp-nest), all on Node 24 unless told
// otherwise, loads each with the same settings, interleaved (round 1: A B C …, round 2: A B
// C …) so machine noise hits all alike, then measures memory (idle RSS, RSS and Redis bytes
// per idle session, RSS growth over 200,000 requests, GC pauses) and two replicas with one
// restarted under load. Prints the tables and every goal of the performance issue as met or
// missed; writes bench/results/latest.json. Nothing is asserted.
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { resolveBenchNode } from './lib/bench-node.mjs';
import { legacySseRun } from './lib/legacy-sse-load.mjs';
import { gcProbeArgs, gcProbeEnv, gcProbeFile, idleRss, idleSessionCost, readGcStats, sessionBenchEnv } from './lib/memory.mjs';
import { ensurePeers } from './lib/peers.mjs';
import {
  ROOT,
  buildDist,
  describeExit,
  freePort,
  httpOk,
  killAllNow,
  redisAvailable,
  rssMB,
  startNode,
  startRedis,
  stopAll,
  stopChild,
  useNode,
  waitUntil,
} from './lib/procs.mjs';
import { replicaRestartRun } from './lib/replicas.mjs';
import { imageNodeArgs, platformEnv, probeServer, serverSpecs, targetSpecs } from './lib/targets.mjs';
import { PROTOCOL_VERSION } from './lib/mcp.mjs';
import { evaluateGoals, formatReport } from './lib/report.mjs';

// ---------------------------------------------------------------------------------------
// Settings

const SECTIONS = ['growth', 'sessions', 'replicas'];

const { values: args } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    duration: { type: 'string' },
    passes: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    'leak-requests': { type: 'string' },
    sessions: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    node: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  const rows = targetSpecs().map((t) => t.key);
  process.stdout.write(`npm run bench [-- options]
  --duration=S         seconds per pass                (env BENCH_DURATION, default 3; --long 20)
  --passes=N           interleaved passes per row       (env BENCH_PASSES, default 2; --long 3)
  --warmup=S           warm-up seconds per row          (env BENCH_WARMUP, default 1; --long 5)
  --connections=C      connections (legacy SSE: clients) (env BENCH_CONNECTIONS, default 50)
  --leak-requests=N    requests of the RSS growth check (env BENCH_LEAK_REQUESTS, default 200000)
  --sessions=N         idle sessions per store           (env BENCH_SESSIONS, default 20000)
  --long               longer passes
  --only=k1,k2         these rows only (raw is always run), or a prefix ending in '*' (express-*):
                       ${rows.join(' ')}
  --skip=s1,s2         leave out sections: ${SECTIONS.join(', ')}
  --skip-build         measure the existing dist/ without running tsc
  --node=PATH          run every server (baselines too) on this Node.js (env BENCH_NODE); default:
                       this Node when it is 24 or later, else node@24 from the npm registry
  --out=FILE           JSON result file (default bench/results/latest.json)
`);
  process.exit(0);
}

const num = (value, fallback) => (value === undefined || value === '' ? fallback : Number(value));
const settings = {
  long: args.long,
  durationSeconds: num(args.duration ?? process.env.BENCH_DURATION, args.long ? 20 : 3),
  passes: num(args.passes ?? process.env.BENCH_PASSES, args.long ? 3 : 2),
  warmupSeconds: num(args.warmup ?? process.env.BENCH_WARMUP, args.long ? 5 : 1),
  connections: num(args.connections ?? process.env.BENCH_CONNECTIONS, 50),
  pipelining: 1,
  leakRequests: num(args['leak-requests'] ?? process.env.BENCH_LEAK_REQUESTS, 200000),
  // 20,000: V8's heap moves by a few MB between two readings for reasons of its own (code,
  // feedback); spread over 20,000 sessions that is ±200 B, small beside the 2 KB goal.
  idleSessions: num(args.sessions ?? process.env.BENCH_SESSIONS, 20000),
};
for (const [key, value] of Object.entries(settings)) {
  if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
    console.error(`bad value for ${key}: ${value}`);
    process.exit(2);
  }
}
const skipped = new Set(
  (args.skip ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const section of skipped) {
  if (!SECTIONS.includes(section)) {
    console.error(`unknown section ${section} (sections: ${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}
const outFile = args.out ?? join(ROOT, 'bench', 'results', 'latest.json');

const started = Date.now();
/** The platform runs with the image's Node flags; baselines and peers with Node's defaults. */
const PLATFORM_NODE_ARGS = imageNodeArgs(ROOT);
const log = (message) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

// ---------------------------------------------------------------------------------------
// Servers

/** Starts one server (with the GC probe) and waits until it answers. */
async function startServer(id, spec, redis) {
  const port = await freePort();
  const gcFile = gcProbeFile(id);
  const platform = spec.platform || spec.platformEnv;
  const env = {
    ...(platform ? platformEnv(port, spec.env) : { PORT: String(port), HOST: '127.0.0.1', ...spec.env }),
    ...gcProbeEnv(gcFile, { forceGc: Boolean(spec.forceGc) }),
  };
  if (spec.redis) env.REDIS_URL = redis.url;
  const script = spec.platform ? 'dist/main.js' : spec.script;
  const proc = startNode(id, join(ROOT, script), env, [...gcProbeArgs(), ...(platform ? PLATFORM_NODE_ARGS : [])]);
  const server = { id, spec, port, url: `http://127.0.0.1:${port}/mcp`, base: `http://127.0.0.1:${port}`, proc, gcFile };
  if (platform) await waitUntil(proc, () => httpOk(`${server.base}/health/ready`), { what: 'ready (/health/ready)' });
  else await waitUntil(proc, () => probeServer(server.url, spec.probe), { what: 'answering' });
  return server;
}

// ---------------------------------------------------------------------------------------
// Loads

let currentCannon = null;
let aborting = false;

function cannon(url, load, extra) {
  return new Promise((resolve, reject) => {
    currentCannon = autocannon(
      {
        url,
        connections: settings.connections,
        pipelining: settings.pipelining,
        headers: load.headers,
        requests: load.requests,
        verifyBody: load.verifyBody,
        ...extra,
      },
      (error, result) => {
        currentCannon = null;
        if (error) reject(error);
        else resolve(result);
      },
    );
  });
}

/** One pass of a row: its load for `seconds`, with the server's GC pauses of that window. */
async function runPass(target, seconds) {
  const { server } = target;
  if (server.proc.exited) throw new Error(describeExit(server.proc));
  await readGcStats(server.proc, server.gcFile).catch(() => undefined); // starts the window
  let pass;
  if (target.kind === 'legacy') {
    const result = await legacySseRun({ base: server.base, clients: settings.connections, durationSeconds: seconds, warmupSeconds: 0 });
    pass = {
      seconds: result.seconds,
      requests: result.roundTrips,
      reqPerSec: result.reqPerSec,
      p50: result.p50,
      p99: result.p99,
      non2xx: 0,
      errors: result.errors,
      timeouts: 0,
      mismatches: result.badAnswers,
    };
  } else {
    const before = target.kind === 'churn' ? { ...target.load.counts } : null;
    const result = await cannon(server.url, target.load, { duration: seconds });
    pass = {
      seconds: result.duration,
      requests: result.requests.total,
      reqPerSec: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      mismatches: result.mismatches,
      statusCodes: result.statusCodeStats,
    };
    if (before) {
      const counts = target.load.counts;
      pass.sessions = counts.sessions - before.sessions;
      pass.sessionsPerSec = pass.sessions / result.duration;
      pass.churnFailures = {
        initialize: counts.initializeFailed - before.initializeFailed,
        call: counts.callFailed - before.callFailed,
        delete: counts.deleteFailed - before.deleteFailed,
      };
    }
  }
  if (server.proc.exited) throw new Error(describeExit(server.proc));
  pass.rssMB = rssMB(server.proc.pid);
  const gc = await readGcStats(server.proc, server.gcFile).catch(() => undefined);
  if (gc) pass.gc = { count: gc.count, p99: gc.p99, max: gc.max, totalMs: gc.totalMs };
  return pass;
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

function aggregate(target) {
  const passes = target.passes;
  if (passes.length === 0) return null;
  const reqs = passes.map((p) => p.reqPerSec);
  const sum = (field) => passes.reduce((a, p) => a + (p[field] ?? 0), 0);
  const summary = {
    reqPerSec: mean(reqs),
    reqPerSecMin: Math.min(...reqs),
    reqPerSecMax: Math.max(...reqs),
    p50: mean(passes.map((p) => p.p50)),
    p99: mean(passes.map((p) => p.p99)),
    gcP99: passes.every((p) => p.gc) ? mean(passes.map((p) => p.gc.p99)) : null,
    rssAfterMB: passes.at(-1).rssMB,
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    mismatches: sum('mismatches'),
    requests: sum('requests'),
  };
  if (target.kind === 'churn') {
    summary.sessionsPerSec = mean(passes.map((p) => p.sessionsPerSec));
    summary.churnFailures = passes.reduce(
      (a, p) => ({
        initialize: a.initialize + p.churnFailures.initialize,
        call: a.call + p.churnFailures.call,
        delete: a.delete + p.churnFailures.delete,
      }),
      { initialize: 0, call: 0, delete: 0 },
    );
  }
  return summary;
}

/** Least-squares slope of evenly spaced readings (per step). */
function trend(values) {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = mean(values);
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

// ---------------------------------------------------------------------------------------
// Sections after the table

/**
 * RSS growth: load the server for 15 s (past the 10 s a memory store keeps delivered streams,
 * so it is in its steady state), then send N more requests in eighths, reading RSS right after
 * the warm-up and after each eighth (right after load, so V8's idle shrinking stays out of
 * it). One reading swings by tens of MB with where the collector happens to be, so growth is
 * the least-squares slope over the nine readings times eight: a leak is a trend, a swing is not.
 */
async function rssGrowth(target) {
  const { server } = target;
  await cannon(server.url, target.load, { duration: Math.max(settings.warmupSeconds, 15) });
  const readings = [rssMB(server.proc.pid)];
  log(`RSS growth (${target.key}): ${settings.leakRequests.toLocaleString('en-US')} requests from ${readings[0]?.toFixed(1)} MB`);
  let requests = 0;
  let errors = 0;
  for (let slice = 0; slice < 8; slice++) {
    const result = await cannon(server.url, target.load, { amount: Math.floor(settings.leakRequests / 8) });
    requests += result.requests.total;
    errors += result.non2xx + result.errors + result.mismatches;
    readings.push(rssMB(server.proc.pid));
  }
  const growthMB = trend(readings) * (readings.length - 1);
  log(`RSS growth (${target.key}): ${readings.map((r) => r.toFixed(1)).join(' → ')} MB = ${growthMB.toFixed(1)} MB`);
  return { key: target.key, requests, readingsMB: readings, growthMB, errors };
}

/** RSS (and Redis) per idle session, on a fresh server per store (so nothing else is in it). */
async function idleSessions(store) {
  const redis = store === 'redis' ? await startRedis() : null;
  // Full GCs on request (only here: they would disturb the load rows), so readings after them
  // show what the sessions keep, not the garbage of opening them.
  const spec = {
    platform: true,
    env: { HTTP_ADAPTER: 'express', MCP_SESSION_MODE: 'stateful', ...sessionBenchEnv() },
    redis: Boolean(redis),
    forceGc: true,
  };
  const server = await startServer(`idle-sessions-${store}`, spec, redis);
  try {
    log(`idle sessions (${store}): opening ${settings.idleSessions.toLocaleString('en-US')}`);
    const result = await idleSessionCost({
      url: server.url,
      proc: server.proc,
      count: settings.idleSessions,
      // Some opened, used and deleted first, so code compiled on first use is not counted.
      warmup: Math.min(2000, settings.idleSessions),
      ...(redis && { redisPort: redis.port }),
      gcFile: server.gcFile,
    });
    log(
      `idle sessions (${store}): ${result.sessions} open, ${result.failed} failed; RSS ${result.rssPerSessionBytes?.toFixed(0)} B/session` +
        (redis ? `, Redis ${result.redisPerSessionBytes?.toFixed(0)} B/session` : ''),
    );
    return { store, ...result };
  } finally {
    await stopChild(server.proc);
    if (redis) await stopChild(redis.info);
  }
}

async function replicas(redis) {
  const startReplica = async (port) => {
    const env = { ...platformEnv(port, { MCP_SESSION_MODE: 'stateful', NODE_ID: `bench-replica-${port}` }), REDIS_URL: redis.url };
    const proc = startNode(`replica-${port}`, join(ROOT, 'dist', 'main.js'), env, PLATFORM_NODE_ARGS);
    await waitUntil(proc, () => httpOk(`http://127.0.0.1:${port}/health/ready`), { what: 'ready (/health/ready)' });
    return { proc, url: `http://127.0.0.1:${port}/mcp` };
  };
  return replicaRestartRun({
    startReplica,
    redisUrl: redis.url,
    durationSeconds: Math.max(6, settings.durationSeconds * 2),
    connections: settings.connections,
    log,
  });
}

// ---------------------------------------------------------------------------------------

function selectRows() {
  const all = targetSpecs();
  if (!args.only) return all;
  const wanted = args.only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const matches = (key) => key === 'raw' || wanted.some((w) => (w.endsWith('*') ? key.startsWith(w.slice(0, -1)) : key === w));
  for (const w of wanted) if (!w.endsWith('*') && !all.some((t) => t.key === w)) throw new Error(`unknown row ${w} (see --help)`);
  return all.filter((t) => matches(t.key));
}

async function main() {
  const loadBefore = loadavg();
  const node = resolveBenchNode({ explicit: args.node ?? process.env.BENCH_NODE, log });
  useNode(node.path);
  log(`servers on Node ${node.version} (${node.source}); load generator on ${process.version}`);
  const build = buildDist({ skip: args['skip-build'] });
  log(build.note);

  const targets = selectRows().map((t) => ({ ...t, passes: [] }));
  const specs = serverSpecs();
  const serverIds = [...new Set(targets.map((t) => t.server))];
  const servers = {};
  const failedServers = {};

  const needsRedis = serverIds.some((id) => specs[id].redis) || (!skipped.has('replicas') && !args.only);
  let redis = null;
  if (needsRedis) {
    if (redisAvailable()) {
      redis = await startRedis();
      log(`redis-server pid ${redis.info.pid} on port ${redis.port}`);
    } else {
      for (const id of serverIds) if (specs[id].redis) failedServers[id] = 'redis-server not found on PATH';
    }
  }
  if (serverIds.some((id) => specs[id].peers)) {
    const peers = await ensurePeers(log);
    if (!peers.ok) for (const id of serverIds) if (specs[id].peers) failedServers[id] = `bench/peers not installed: ${peers.reason}`;
  }

  log(`starting ${serverIds.length} servers`);
  await Promise.all(
    serverIds
      .filter((id) => !failedServers[id])
      .map((id) =>
        startServer(id, specs[id], redis).then(
          (server) => (servers[id] = server),
          (error) => {
            failedServers[id] = error.message;
            log(`${id}: FAILED to start: ${error.message}`);
          },
        ),
      ),
  );
  // Idle RSS: every server up and quiet, start-up garbage collected.
  await sleep(1500);
  for (const server of Object.values(servers)) server.idleRssMB = await idleRss(server.proc, { settleMs: 0 });
  log(
    `idle RSS: ${Object.values(servers)
      .map((s) => `${s.id} ${s.idleRssMB.toFixed(0)}`)
      .join(', ')} MB`,
  );

  for (const t of targets) {
    const id = t.server;
    t.server = servers[id] ?? null;
    if (!t.server) {
      t.failed = failedServers[id] ?? 'server did not start';
      continue;
    }
    try {
      const prepared = await t.prepare({ url: t.server.url });
      t.load = prepared.load;
      t.note = prepared.note;
    } catch (error) {
      t.failed = error.message;
      log(`${t.key}: FAILED: ${error.message}`);
    }
  }
  const live = () => targets.filter((t) => !t.failed && !aborting);

  log(`warm-up ${settings.warmupSeconds} s each`);
  for (const t of live()) {
    try {
      if (settings.warmupSeconds > 0) await runPass(t, settings.warmupSeconds);
    } catch (error) {
      t.failed = error.message;
    }
  }
  for (let round = 1; round <= settings.passes; round++) {
    for (const t of live()) {
      try {
        const pass = await runPass(t, settings.durationSeconds);
        t.passes.push(pass);
        const bad = pass.non2xx + pass.errors + pass.mismatches;
        log(
          `round ${round}/${settings.passes} ${t.key.padEnd(26)} ${Math.round(pass.reqPerSec).toLocaleString('en-US').padStart(7)} req/s  p99 ${pass.p99?.toFixed(1)} ms  GC p99 ${pass.gc?.p99?.toFixed(1) ?? '—'} ms${bad ? `  ${bad} BAD` : ''}`,
        );
      } catch (error) {
        t.failed = error.message;
        log(`${t.key}: FAILED: ${error.message}`);
      }
      await sleep(200);
    }
  }
  for (const t of targets) t.summary = t.passes.length ? aggregate(t) : null;

  const sections = {};
  const growthTarget = live().find((t) => t.key === 'express-stateless-2025');
  if (!skipped.has('growth') && growthTarget && settings.leakRequests > 0) {
    try {
      sections.growth = await rssGrowth(growthTarget);
    } catch (error) {
      sections.growth = { failed: error.message };
    }
  }
  // The row servers are done: stopped now so they do not share the machine with what follows.
  await Promise.all(Object.values(servers).map((s) => stopChild(s.proc)));

  if (!skipped.has('sessions') && !aborting && (!args.only || targets.some((t) => t.mode === 'memory' || t.mode === 'redis'))) {
    sections.sessions = [];
    for (const store of ['memory', 'redis']) {
      if (store === 'redis' && !redisAvailable()) continue;
      try {
        sections.sessions.push(await idleSessions(store));
      } catch (error) {
        sections.sessions.push({ store, failed: error.message });
        log(`idle sessions (${store}) FAILED: ${error.message}`);
      }
    }
  }
  if (!skipped.has('replicas') && !aborting && redis && (!args.only || targets.some((t) => t.mode === 'redis'))) {
    try {
      log('two replicas on one Redis, one restarted under load');
      sections.replicas = await replicas(redis);
    } catch (error) {
      sections.replicas = { failed: error.message };
      log(`replicas FAILED: ${error.message}`);
    }
  }

  const byKey = Object.fromEntries(targets.map((t) => [t.key, t]));
  const goals = evaluateGoals(byKey, servers, sections);
  const meta = {
    date: new Date().toISOString(),
    node: node.version,
    nodeSource: node.source,
    loadNode: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model?.trim(),
    totalMemMB: Math.round(totalmem() / 2 ** 20),
    loadavg: { before: loadBefore, after: loadavg() },
    git: gitInfo(),
    build,
    settings,
    platformNodeArgs: PLATFORM_NODE_ARGS,
    protocolVersion: PROTOCOL_VERSION,
  };
  process.stdout.write(`${formatReport({ meta, targets, servers, sections, goals })}\n`);

  mkdirSync(join(outFile, '..'), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        ...meta,
        servers: Object.fromEntries(Object.values(servers).map((s) => [s.id, { pid: s.proc.pid, idleRssMB: s.idleRssMB }])),
        failedServers,
        targets: targets.map((t) => ({
          key: t.key,
          label: t.label,
          group: t.group,
          note: t.note,
          server: t.server?.id,
          failed: t.failed,
          passes: t.passes,
          summary: t.summary,
        })),
        sections: { ...sections, replicas: sections.replicas && { ...sections.replicas, replicas: undefined } },
        goals,
        totalSeconds: (Date.now() - started) / 1000,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${outFile}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function gitInfo() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { head, srcDirty: dirty };
  } catch {
    return null;
  }
}

// Children are stopped by PID whatever happens.
let stopping = null;
const shutdown = () => (stopping ??= stopAll());
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (aborting) return;
    aborting = true;
    process.stderr.write(`\n[bench] ${signal}: stopping the load and the servers\n`);
    currentCannon?.stop();
    shutdown().finally(() => process.exit(130));
  });
}

main()
  .then(() => shutdown())
  .then(
    () => process.exit(aborting ? 130 : 0),
    async (error) => {
      process.stderr.write(`[bench] failed: ${error.stack ?? error}\n`);
      await shutdown();
      process.exit(1);
    },
  );
