#!/usr/bin/env node
// npm run bench [-- --long | --duration=S --passes=N --connections=C --only=a,b --skip-build]
//
// Starts the platform in several configurations and two baselines (raw node:http, the SDK's
// stateless pattern), loads each with autocannon under the same settings, interleaved
// (round 1: A B C …, round 2: A B C …) so machine noise hits all alike, and prints one table
// plus the ratios the project's performance goals talk about. Results also go to
// bench/results/latest.json. No assertions: the goals are printed as met / missed.
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import {
  ROOT,
  buildDist,
  describeExit,
  freePort,
  httpOk,
  killAllNow,
  redisAvailable,
  rssMB,
  serverNodeVersion,
  startNode,
  startRedis,
  stopAll,
  useNode,
  waitUntil,
} from './lib/procs.mjs';
import {
  BASE_HEADERS,
  PROTOCOL_VERSION,
  callBody,
  checkEcho,
  checkList,
  headerValue,
  initializeBody,
  isEchoResult,
  isToolList,
  listBody,
  MODERN_HEADERS,
  modernCallBody,
  openSession,
  parseMcpMessage,
  post,
} from './lib/mcp.mjs';

// ---------------------------------------------------------------------------------------
// Settings

const { values: args } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    duration: { type: 'string' },
    passes: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    'leak-requests': { type: 'string' },
    only: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    node: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(`npm run bench [-- options]
  --long               longer passes (20 s × 3) and the RSS leak check (200k requests)
  --duration=S         seconds per pass            (env BENCH_DURATION, default 3; --long 20)
  --passes=N           interleaved passes per target (env BENCH_PASSES, default 2; --long 3)
  --warmup=S           warm-up seconds per target   (env BENCH_WARMUP, default 1; --long 5)
  --connections=C      autocannon connections       (env BENCH_CONNECTIONS, default 50)
  --leak-requests=N    requests of the leak check   (env BENCH_LEAK_REQUESTS, default 200000; --long only)
  --only=k1,k2         run these targets (raw is always run): raw sdk sdk-stateful stateless-sse
                       stateless-fastify stateless-json stateful-memory stateful-redis churn-redis
                       churn-redis-fastify list-default list-100
  --skip-build         measure the existing dist/ without running tsc
  --node=PATH          run every server (baselines too) on this Node.js binary (env BENCH_NODE),
                       e.g. the image's Node 24: --node=$(npx -y -p node@24 node -p process.execPath)
  --out=FILE           JSON result file (default bench/results/latest.json)
`);
  process.exit(0);
}

const num = (value, fallback) => (value === undefined || value === '' ? fallback : Number(value));
const settings = {
  long: args.long,
  // 3 s: twelve targets × two passes plus warm-ups and start-up stay within two minutes.
  durationSeconds: num(args.duration ?? process.env.BENCH_DURATION, args.long ? 20 : 3),
  passes: num(args.passes ?? process.env.BENCH_PASSES, args.long ? 3 : 2),
  warmupSeconds: num(args.warmup ?? process.env.BENCH_WARMUP, args.long ? 5 : 1),
  connections: num(args.connections ?? process.env.BENCH_CONNECTIONS, 50),
  pipelining: 1,
  leakRequests: args.long ? num(args['leak-requests'] ?? process.env.BENCH_LEAK_REQUESTS, 200000) : 0,
};
for (const [key, value] of Object.entries(settings)) {
  if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
    console.error(`bad value for ${key}: ${value}`);
    process.exit(2);
  }
}
const outFile = args.out ?? join(ROOT, 'bench', 'results', 'latest.json');
const nodeBinary = args.node ?? process.env.BENCH_NODE;
if (nodeBinary) useNode(nodeBinary);
const serverNode = serverNodeVersion();

// ---------------------------------------------------------------------------------------
// Targets. `server` says what to start; `prepare` checks one request by hand and returns the
// autocannon options of the load (requests, headers, body check).

let sequence = 1; // JSON-RPC ids: unique across the whole run (one session sees many in flight)

const platformEnv = (port, extra) => ({
  HTTP_ADAPTER: 'express',
  PORT: String(port),
  HOST: '127.0.0.1',
  // Request logs and the audit trail off, as the baselines write nothing per request.
  LOG_LEVEL: 'warn',
  MCP_AUDIT_ENABLED: 'false',
  NODE_ID: 'bench',
  MCP_SHUTDOWN_GRACE_SECONDS: '2',
  ...extra,
});

/** tools/call of echo with a fresh id each request, every body checked. */
const callLoad = (sessionHeaders = {}) => ({
  headers: { ...BASE_HEADERS, ...sessionHeaders },
  requests: [{ method: 'POST', path: '/mcp', setupRequest: (request) => ({ ...request, body: callBody(++sequence) }) }],
  verifyBody: isEchoResult,
});

const TARGETS = [
  {
    key: 'raw',
    label: 'raw node:http JSON-RPC (baseline)',
    server: { script: 'bench/servers/raw-http.mjs' },
    prepare: async ({ url }) => {
      await checkEcho(url);
      return { load: callLoad() };
    },
  },
  {
    key: 'sdk',
    label: 'SDK stateless pattern, Express (baseline)',
    server: { script: 'bench/servers/sdk-stateless.mjs' },
    prepare: async ({ url }) => {
      await checkEcho(url);
      return { load: callLoad() };
    },
  },
  {
    key: 'sdk-stateful',
    label: 'SDK stateful pattern, one session, Express (baseline: best peer)',
    server: { script: 'bench/servers/sdk-stateful.mjs', sessions: true },
    prepare: async ({ url }) => {
      const session = await openSession(url);
      await checkEcho(url, session);
      return { load: callLoad(session) };
    },
  },
  {
    key: 'stateless-sse',
    label: 'platform stateless tools/call, Express (auto → SSE)',
    server: { platform: true, env: { MCP_SESSION_MODE: 'stateless' } },
    prepare: async ({ url }) => {
      const { contentType } = await checkEcho(url);
      if (contentType !== 'text/event-stream') throw new Error(`expected an SSE answer, got ${contentType}`);
      return { load: callLoad() };
    },
  },
  {
    key: 'stateless-fastify',
    label: 'platform stateless tools/call, Fastify (auto → SSE)',
    server: { platform: true, env: { HTTP_ADAPTER: 'fastify', MCP_SESSION_MODE: 'stateless' } },
    prepare: async ({ url }) => {
      const { contentType } = await checkEcho(url);
      if (contentType !== 'text/event-stream') throw new Error(`expected an SSE answer, got ${contentType}`);
      return { load: callLoad() };
    },
  },
  {
    key: 'modern-stateless',
    label: 'platform 2026-07-28 tools/call, Express (auto)',
    server: { platform: true, env: { MCP_SESSION_MODE: 'stateless' } },
    prepare: async ({ url }) => {
      const answer = await post(url, modernCallBody(1), MODERN_HEADERS);
      const message = answer.status === 200 ? parseMcpMessage(answer.text, answer.contentType) : undefined;
      if (message?.result?.content?.[0]?.text !== 'hi' || message.result.resultType !== 'complete') {
        throw new Error(`2026-07-28 echo failed: ${answer.status} ${answer.text.slice(0, 300)}`);
      }
      return {
        load: {
          headers: { ...BASE_HEADERS, ...MODERN_HEADERS },
          requests: [{ method: 'POST', path: '/mcp', setupRequest: (request) => ({ ...request, body: modernCallBody(++sequence) }) }],
          verifyBody: isEchoResult,
        },
      };
    },
  },
  {
    key: 'stateless-json',
    label: 'platform stateless tools/call, Express (json)',
    server: { platform: true, env: { MCP_SESSION_MODE: 'stateless', MCP_RESPONSE_MODE: 'json' } },
    prepare: async ({ url }) => {
      const { contentType } = await checkEcho(url);
      if (contentType !== 'application/json') throw new Error(`expected a JSON answer, got ${contentType}`);
      return { load: callLoad() };
    },
  },
  {
    key: 'stateful-memory',
    label: 'platform stateful tools/call, memory store (SSE)',
    server: { platform: true, env: { MCP_SESSION_MODE: 'stateful' } },
    prepare: async ({ url }) => {
      const session = await openSession(url);
      await checkEcho(url, session);
      return { load: callLoad(session) };
    },
  },
  {
    key: 'stateful-redis',
    label: 'platform stateful tools/call, Redis (SSE)',
    server: { platform: true, redis: true, env: { MCP_SESSION_MODE: 'stateful' } },
    prepare: async ({ url }) => {
      const session = await openSession(url);
      await checkEcho(url, session);
      return { load: callLoad(session) };
    },
  },
  {
    key: 'churn-redis',
    label: 'platform session churn, Redis (initialize + call + DELETE)',
    server: { platform: true, redis: true, env: { MCP_SESSION_MODE: 'stateful' } },
    churn: true,
    prepare: async ({ url }) => {
      const session = await openSession(url);
      await checkEcho(url, session);
      const deleted = await fetch(url, { method: 'DELETE', headers: session });
      if (deleted.status !== 200) throw new Error(`DELETE answered ${deleted.status}`);
      return { load: churnLoad() };
    },
  },
  {
    key: 'churn-redis-fastify',
    label: 'platform session churn, Redis, Fastify',
    server: { platform: true, redis: true, env: { HTTP_ADAPTER: 'fastify', MCP_SESSION_MODE: 'stateful' } },
    churn: true,
    prepare: async ({ url }) => {
      const session = await openSession(url);
      await checkEcho(url, session);
      return { load: churnLoad() };
    },
  },
  {
    key: 'list-default',
    label: 'platform stateless tools/list, default packs',
    server: { platform: true, env: { MCP_SESSION_MODE: 'stateless' } },
    prepare: async ({ url }) => {
      const { tools, bytes } = await checkList(url);
      return { note: `${tools} tools, ${(bytes / 1024).toFixed(1)} KiB`, tools, load: listLoad() };
    },
  },
  {
    key: 'list-100',
    label: 'platform stateless tools/list, 100 generated tools',
    server: { script: 'bench/servers/hundred-tools.mjs', platformEnv: true, env: { MCP_SESSION_MODE: 'stateless' } },
    prepare: async ({ url }) => {
      const { tools, bytes } = await checkList(url);
      if (tools !== 100) throw new Error(`expected 100 tools, tools/list returned ${tools}`);
      return { note: `${tools} tools, ${(bytes / 1024).toFixed(1)} KiB`, tools, load: listLoad() };
    },
  },
];

function listLoad() {
  return {
    headers: { ...BASE_HEADERS },
    requests: [{ method: 'POST', path: '/mcp', setupRequest: (request) => ({ ...request, body: listBody(++sequence) }) }],
    verifyBody: isToolList,
  };
}

/**
 * Session churn as an autocannon request sequence per connection: initialize (keep the
 * session id in the connection's context), tools/call with it, DELETE it. A session counts
 * only when all three answered as they should; every failure is counted by step.
 */
function churnLoad() {
  const counts = { sessions: 0, initializeFailed: 0, callFailed: 0, deleteFailed: 0 };
  const withSession = (request, context) => ({
    ...request,
    headers: { ...request.headers, 'mcp-session-id': context.sessionId ?? 'missing', 'mcp-protocol-version': PROTOCOL_VERSION },
  });
  return {
    counts,
    headers: { ...BASE_HEADERS },
    requests: [
      {
        method: 'POST',
        path: '/mcp',
        setupRequest: (request) => ({ ...request, body: initializeBody(++sequence) }),
        onResponse: (status, body, context, headers) => {
          context.sessionId = headerValue(headers, 'mcp-session-id');
          context.ok = status === 200 && Boolean(context.sessionId) && body.includes('"protocolVersion"');
          if (!context.ok) counts.initializeFailed++;
        },
      },
      {
        method: 'POST',
        path: '/mcp',
        setupRequest: (request, context) => ({ ...withSession(request, context), body: callBody(++sequence) }),
        onResponse: (status, body, context) => {
          const ok = status === 200 && isEchoResult(body);
          if (!ok) counts.callFailed++;
          context.ok = context.ok && ok;
        },
      },
      {
        method: 'DELETE',
        path: '/mcp',
        setupRequest: (request, context) => {
          const { headers } = withSession(request, context);
          delete headers['content-type'];
          return { ...request, headers, body: undefined };
        },
        onResponse: (status, _body, context) => {
          if (status !== 200) counts.deleteFailed++;
          else if (context.ok) counts.sessions++;
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------
// Running

let currentCannon = null;
let aborting = false;

function cannon(url, load, extra) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
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
    currentCannon = instance;
  });
}

function summarizePass(result, target, churnBefore) {
  const seconds = result.duration; // measured, in seconds
  const pass = {
    seconds,
    requests: result.requests.total,
    reqPerSec: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes: result.statusCodeStats,
    rssMB: rssMB(target.proc.pid),
  };
  if (target.churn) {
    const counts = target.load.counts;
    pass.sessions = counts.sessions - churnBefore.sessions;
    pass.sessionsPerSec = pass.sessions / seconds;
    pass.churnFailures = {
      initialize: counts.initializeFailed - churnBefore.initializeFailed,
      call: counts.callFailed - churnBefore.callFailed,
      delete: counts.deleteFailed - churnBefore.deleteFailed,
    };
  }
  return pass;
}

async function runPass(target, durationSeconds) {
  if (target.proc.exited) throw new Error(describeExit(target.proc));
  const before = target.churn ? { ...target.load.counts } : null;
  const result = await cannon(target.url, target.load, { duration: durationSeconds });
  if (target.proc.exited) throw new Error(describeExit(target.proc));
  return summarizePass(result, target, before);
}

async function startTarget(target, redis) {
  const port = await freePort();
  const { server } = target;
  const env = server.platform || server.platformEnv ? platformEnv(port, server.env) : { PORT: String(port), HOST: '127.0.0.1' };
  if (server.redis) env.REDIS_URL = redis.url;
  const script = server.platform ? 'dist/main.js' : server.script;
  target.port = port;
  target.url = `http://127.0.0.1:${port}/mcp`;
  target.proc = startNode(target.key, join(ROOT, script), env);
  if (server.platform || server.platformEnv) {
    await waitUntil(target.proc, () => httpOk(`http://127.0.0.1:${port}/health/ready`), { what: 'ready (/health/ready)' });
  } else {
    // A server with sessions answers only initialize without one.
    const probe = server.sessions ? initializeBody(0) : callBody(0);
    await waitUntil(target.proc, async () => (await post(target.url, probe)).status === 200, { what: 'answering' });
  }
  target.rssStartMB = rssMB(target.proc.pid);
  const prepared = await target.prepare(target);
  target.load = prepared.load;
  target.note = prepared.note;
  target.tools = prepared.tools;
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

function aggregate(target) {
  const passes = target.passes;
  if (passes.length === 0) return null;
  const reqs = passes.map((p) => p.reqPerSec);
  const summary = {
    reqPerSec: mean(reqs),
    reqPerSecMin: Math.min(...reqs),
    reqPerSecMax: Math.max(...reqs),
    p50: mean(passes.map((p) => p.p50)),
    p99: mean(passes.map((p) => p.p99)),
    rssAfterMB: passes.at(-1).rssMB,
    non2xx: passes.reduce((a, p) => a + p.non2xx, 0),
    errors: passes.reduce((a, p) => a + p.errors, 0),
    timeouts: passes.reduce((a, p) => a + p.timeouts, 0),
    mismatches: passes.reduce((a, p) => a + p.mismatches, 0),
    requests: passes.reduce((a, p) => a + p.requests, 0),
  };
  if (target.churn) {
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

/** Mean over rounds of (a / b) for passes run in the same round: the paired ratio. */
function pairedRatio(a, b, field = 'reqPerSec') {
  const ratios = [];
  for (let i = 0; i < Math.min(a.passes.length, b.passes.length); i++) ratios.push(a.passes[i][field] / b.passes[i][field]);
  return ratios.length ? mean(ratios) : null;
}

// ---------------------------------------------------------------------------------------
// Output

const fmtInt = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const fmtPct = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(0)} %`);

function errorCell(target) {
  if (target.failed) return `FAILED: ${target.failed.split('\n')[0].slice(0, 80)}`;
  const s = target.summary;
  const parts = [];
  if (s.non2xx) parts.push(`${fmtInt(s.non2xx)} non-2xx`);
  if (s.errors) parts.push(`${fmtInt(s.errors)} errors${s.timeouts ? ` (${fmtInt(s.timeouts)} timeouts)` : ''}`);
  if (s.mismatches) parts.push(`${fmtInt(s.mismatches)} bad bodies`);
  if (s.churnFailures) {
    const f = s.churnFailures;
    if (f.initialize + f.call + f.delete) parts.push(`failed steps: ${f.initialize} init, ${f.call} call, ${f.delete} DELETE`);
  }
  return parts.length ? parts.join(', ') : '0';
}

function table(targets, raw) {
  const lines = ['| target | req/s | p50 ms | p99 ms | RSS MB | vs raw | errors |', '| --- | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const target of targets) {
    let label = target.label;
    if (target.note) label += ` [${target.note}]`;
    const s = target.summary;
    if (!s) {
      lines.push(`| ${label} | — | — | — | — | — | ${errorCell(target)} |`);
      continue;
    }
    if (target.churn) label += ` = ${fmtInt(s.sessionsPerSec)} sessions/s`;
    const spread = s.reqPerSec > 0 ? ((s.reqPerSecMax - s.reqPerSecMin) / 2 / s.reqPerSec) * 100 : 0;
    const reqCell = `${fmtInt(s.reqPerSec)}${target.passes.length > 1 ? ` ±${spread.toFixed(0)}%` : ''}`;
    const vsRaw = target === raw ? '100 %' : raw?.summary ? fmtPct(s.reqPerSec / raw.summary.reqPerSec) : '—';
    const rss = s.rssAfterMB === null ? '—' : s.rssAfterMB.toFixed(0);
    lines.push(`| ${label} | ${reqCell} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${rss} | ${vsRaw} | ${errorCell(target)} |`);
  }
  return lines.join('\n');
}

function goals(byKey, leak) {
  const results = [];
  const clean = (t) => t?.summary && !t.failed && t.summary.non2xx + t.summary.errors + t.summary.mismatches === 0;
  const add = (goal, value, shown, met, note) => results.push({ goal, value, shown, met, note });
  const raw = byKey.raw;
  const sdk = byKey.sdk;
  const variants = { 'stateless-fastify': 'Fastify, auto/SSE', 'stateless-sse': 'Express, auto/SSE', 'stateless-json': 'Express, json' };
  for (const [key, name] of Object.entries(variants)) {
    const t = byKey[key];
    if (t?.summary && raw?.summary) {
      const r = t.summary.reqPerSec / raw.summary.reqPerSec;
      add(`stateless tools/call (${name}) ≥ 35 % of raw node:http`, r, fmtPct(r), r >= 0.35, `paired ${fmtPct(pairedRatio(t, raw))}`);
    }
  }
  const peer = byKey['sdk-stateful'];
  for (const [key, name] of Object.entries(variants)) {
    const t = byKey[key];
    if (key === 'stateless-fastify') continue; // the goal compares Express with Express
    if (t?.summary && peer?.summary) {
      const r = t.summary.reqPerSec / peer.summary.reqPerSec;
      add(
        `stateless tools/call (${name}) ≥ 1.5× the best peer (SDK stateful, one session, Express)`,
        r,
        `${r.toFixed(2)}×`,
        r >= 1.5,
        `paired ${pairedRatio(t, peer).toFixed(2)}×`,
      );
    }
    if (t?.summary && sdk?.summary) {
      const r = t.summary.reqPerSec / sdk.summary.reqPerSec;
      add(
        `stateless tools/call (${name}) vs the SDK stateless pattern (for reference)`,
        r,
        `${r.toFixed(2)}×`,
        null,
        `paired ${pairedRatio(t, sdk).toFixed(2)}×`,
      );
    }
  }
  const modern = byKey['modern-stateless'];
  const legacyStateless = byKey['stateless-sse'];
  if (modern?.summary && legacyStateless?.summary) {
    const r = modern.summary.reqPerSec / legacyStateless.summary.reqPerSec;
    add(
      '2026-07-28 stateless tools/call within 10 % of the 2025 stateless row (both Express, auto)',
      r,
      fmtPct(r),
      r >= 0.9,
      `paired ${fmtPct(pairedRatio(modern, legacyStateless))}`,
    );
  }
  const redis = byKey['stateful-redis'];
  const stateless = byKey['stateless-sse'];
  if (redis?.summary && stateless?.summary) {
    const r = redis.summary.reqPerSec / stateless.summary.reqPerSec;
    add('Redis stateful ≥ 70 % of stateless (both Express, auto/SSE)', r, fmtPct(r), r >= 0.7, `paired ${fmtPct(pairedRatio(redis, stateless))}`);
  }
  for (const [key, name] of [
    ['churn-redis', 'Express'],
    ['churn-redis-fastify', 'Fastify'],
  ]) {
    const churn = byKey[key];
    if (!churn?.summary) continue;
    const v = churn.summary.sessionsPerSec;
    add(`session churn with Redis (${name}) ≥ 2000 sessions/s`, v, `${fmtInt(v)} sessions/s`, v >= 2000, '');
  }
  if (leak.length) {
    for (const l of leak) {
      const notes = [`trend of RSS after warm-up and each eighth: ${l.readingsMB.map((r) => r.toFixed(0)).join(' → ')} MB`];
      if (l.errors) notes.push(`${l.errors} errors/non-2xx/bad bodies`);
      if (l.key !== 'stateless-sse') notes.push('all in one session');
      add(
        `RSS growth < 20 MB over ${fmtInt(l.requests)} requests after warm-up (${l.key})`,
        l.growthMB,
        `${l.growthMB.toFixed(1)} MB`,
        l.growthMB < 20,
        notes.join('; '),
      );
    }
  } else {
    add('RSS growth < 20 MB over 200k requests after warm-up', null, 'not measured (run with --long)', null, '');
  }
  for (const key of Object.keys(byKey))
    if (!clean(byKey[key]) && byKey[key].summary) results.push({ warning: `${key} had errors: its numbers are not comparable` });
  return results;
}

// ---------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const loadBefore = loadavg();
  const log = (message) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

  const build = buildDist({ skip: args['skip-build'] });
  log(build.note);

  const only = args.only ? new Set(['raw', ...args.only.split(',').map((s) => s.trim())]) : null;
  const targets = TARGETS.filter((t) => !only || only.has(t.key)).map((t) => ({ ...t, passes: [] }));
  if (only) for (const key of only) if (!TARGETS.some((t) => t.key === key)) throw new Error(`unknown target ${key}`);

  let redis = null;
  if (targets.some((t) => t.server.redis)) {
    if (!redisAvailable()) {
      for (const t of targets) if (t.server.redis) t.failed = 'redis-server not found on PATH';
    } else {
      redis = await startRedis();
      log(`redis-server pid ${redis.info.pid} on port ${redis.port}`);
    }
  }

  log(`starting ${targets.filter((t) => !t.failed).length} servers`);
  await Promise.all(
    targets
      .filter((t) => !t.failed)
      .map((t) =>
        startTarget(t, redis).then(
          () => log(`${t.key}: pid ${t.proc.pid}, port ${t.port}, ready (${t.rssStartMB?.toFixed(0)} MB RSS)`),
          (error) => {
            t.failed = error.message;
            log(`${t.key}: FAILED to start: ${error.message}`);
          },
        ),
      ),
  );
  const live = () => targets.filter((t) => !t.failed && !aborting);

  log(`warm-up ${settings.warmupSeconds} s each`);
  for (const t of live()) {
    try {
      if (settings.warmupSeconds > 0) {
        const before = t.churn ? { ...t.load.counts } : null;
        const result = await cannon(t.url, t.load, { duration: settings.warmupSeconds });
        t.warmup = summarizePass(result, t, before);
      }
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
          `round ${round}/${settings.passes} ${t.key.padEnd(15)} ${fmtInt(pass.reqPerSec).padStart(7)} req/s  p99 ${fmtMs(pass.p99)} ms  RSS ${pass.rssMB?.toFixed(0)} MB${bad ? `  ${bad} BAD` : ''}`,
        );
      } catch (error) {
        t.failed = error.message;
        log(`${t.key}: FAILED: ${error.message}`);
      }
      await sleep(200);
    }
  }

  // Leak check (--long): load the server for 15 s (past the 10 s for which a memory store keeps
  // streams delivered whole, so it is in its steady state), then send N more requests in
  // eighths, reading RSS right after the warm-up and after each eighth (right after load, so
  // V8's idle heap shrinking stays out of it). One reading swings by tens of MB with where the
  // collector happens to be, so growth is the least-squares slope over the nine readings
  // times N: a leak is a trend, a swing is not.
  const leak = [];
  if (settings.leakRequests > 0) {
    for (const key of ['stateless-sse', 'stateful-memory', 'stateful-redis']) {
      const t = live().find((x) => x.key === key);
      if (!t) continue;
      try {
        await cannon(t.url, t.load, { duration: Math.max(settings.warmupSeconds, 15) });
        const readings = [rssMB(t.proc.pid)];
        log(`leak check ${key}: ${fmtInt(settings.leakRequests)} requests from ${readings[0]?.toFixed(1)} MB`);
        let requests = 0;
        let errors = 0;
        for (let slice = 0; slice < 8; slice++) {
          const result = await cannon(t.url, t.load, { amount: Math.floor(settings.leakRequests / 8) });
          requests += result.requests.total;
          errors += result.non2xx + result.errors + result.mismatches;
          readings.push(rssMB(t.proc.pid));
        }
        leak.push({ key, requests, readingsMB: readings, growthMB: trend(readings) * (readings.length - 1), errors });
        log(`leak check ${key}: ${readings.map((r) => r.toFixed(1)).join(' → ')} MB`);
      } catch (error) {
        log(`leak check ${key} failed: ${error.message}`);
      }
    }
  }

  for (const t of targets) t.summary = t.failed && t.passes.length === 0 ? null : aggregate(t);
  const byKey = Object.fromEntries(targets.map((t) => [t.key, t]));
  const raw = byKey.raw;
  const goalResults = goals(byKey, leak);

  const header = [
    `MCP platform bench — ${new Date().toISOString()} — servers on Node ${serverNode} (autocannon on ${process.version}), ${cpus().length} CPUs (${cpus()[0]?.model?.trim()}), ` +
      `load average ${loadBefore[0].toFixed(1)} before / ${loadavg()[0].toFixed(1)} after`,
    `autocannon: ${settings.connections} connections, pipelining ${settings.pipelining}, ${settings.passes} interleaved passes × ${settings.durationSeconds} s per target after ${settings.warmupSeconds} s warm-up; ` +
      `req/s = mean of passes (± half the spread), p50/p99 = mean of passes, RSS = server VmRSS after its last pass; platform rows run on Express unless named Fastify`,
  ];
  if (!build.ok) header.push(`WARNING: ${build.note}`);
  const lines = [...header, '', table(targets, raw), '', 'Goals (for reference, not asserted):'];
  for (const g of goalResults) {
    if (g.warning) lines.push(`  ! ${g.warning}`);
    else lines.push(`  ${g.met === null ? '   -  ' : g.met ? '  met ' : 'missed'}  ${g.goal}: ${g.shown}${g.note ? ` (${g.note})` : ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const gitInfo = (() => {
    try {
      const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
      return { head, srcDirty: dirty };
    } catch {
      return null;
    }
  })();

  mkdirSync(join(outFile, '..'), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: serverNode,
        loadNode: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model?.trim(),
        totalMemMB: Math.round(totalmem() / 2 ** 20),
        loadavg: { before: loadBefore, after: loadavg() },
        git: gitInfo,
        build,
        settings,
        protocolVersion: PROTOCOL_VERSION,
        targets: targets.map((t) => ({
          key: t.key,
          label: t.label,
          note: t.note,
          tools: t.tools,
          pid: t.proc?.pid,
          rssStartMB: t.rssStartMB,
          failed: t.failed,
          warmup: t.warmup,
          passes: t.passes,
          summary: t.summary,
          vsRaw: t.summary && raw?.summary ? t.summary.reqPerSec / raw.summary.reqPerSec : null,
          vsRawPaired: t.summary && raw?.summary ? pairedRatio(t, raw) : null,
        })),
        leak,
        goals: goalResults,
        totalSeconds: (Date.now() - started) / 1000,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${outFile}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
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
  )
  .catch(async (error) => {
    process.stderr.write(`[bench] failed: ${error.stack ?? error}\n`);
    await shutdown();
    process.exit(1);
  });
