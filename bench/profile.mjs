#!/usr/bin/env node
// [HTTP_ADAPTER=fastify] [BENCH_NODE=/path/to/node] node bench/profile.mjs [--seconds=15] [--mode=auto|json] [--protocol=2025|2026] [--scenario=call|session|churn] [--top=25] [--skip-build]
//
// CPU profile of the stateless platform path: starts `node --cpu-prof dist/main.js`
// (MCP_SESSION_MODE=stateless), loads it with tools/call of echo (autocannon, 50
// connections), stops it with SIGTERM so V8 writes the profile, then prints the frames
// with the most self time and the self time per package. The .cpuprofile stays in
// bench/results/profile/ (open it in Chrome DevTools or speedscope for the call tree).
import autocannon from 'autocannon';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, buildDist, freePort, httpOk, killAllNow, startNode, startRedis, stopAll, stopChild, useNode, waitUntil } from './lib/procs.mjs';
if (process.env.BENCH_NODE) useNode(process.env.BENCH_NODE);
import { BASE_HEADERS, MODERN_HEADERS, callBody, checkEcho, isEchoResult, modernCallBody, openSession } from './lib/mcp.mjs';
import { churnLoad, imageNodeArgs } from './lib/targets.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'auto' },
    protocol: { type: 'string', default: '2025' },
    // call: stateless tools/call; churn: stateful with Redis, initialize + call + DELETE;
    // session: stateful with Redis, tools/call in one session.
    scenario: { type: 'string', default: 'call' },
    top: { type: 'string', default: '25' },
    connections: { type: 'string', default: '50' },
    'skip-build': { type: 'boolean', default: false },
  },
});

process.on('exit', killAllNow);
const dir = join(ROOT, 'bench', 'results', 'profile');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const build = buildDist({ skip: args['skip-build'] });
console.error(build.note);
const port = await freePort();
const scenario = args.scenario;
if (!['call', 'churn', 'session'].includes(scenario)) throw new Error(`unknown --scenario ${scenario}`);
const redis = scenario === 'call' ? undefined : await startRedis();
const server = startNode(
  'platform (--cpu-prof)',
  join(ROOT, 'dist', 'main.js'),
  {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MCP_AUDIT_ENABLED: 'false',
    NODE_ID: 'bench-profile',
    MCP_SESSION_MODE: scenario === 'call' ? 'stateless' : 'stateful',
    ...(redis && { REDIS_URL: redis.url }),
    MCP_RESPONSE_MODE: args.mode,
    MCP_SHUTDOWN_GRACE_SECONDS: '2',
    HTTP_ADAPTER: process.env.HTTP_ADAPTER ?? 'express',
  },
  // As the image runs it, plus the profiler.
  [...imageNodeArgs(ROOT), '--cpu-prof', `--cpu-prof-dir=${dir}`],
);
const url = `http://127.0.0.1:${port}/mcp`;
await waitUntil(server, () => httpOk(`http://127.0.0.1:${port}/health/ready`));
const modern = args.protocol === '2026';
if (!modern && scenario === 'call') await checkEcho(url);

let id = 1;
const session = scenario === 'session' ? await openSession(url) : {};
const churn = scenario === 'churn' ? churnLoad() : undefined;
const load = (seconds) =>
  autocannon({
    url,
    connections: Number(args.connections),
    duration: Number(seconds),
    ...(churn ?? {
      headers: modern ? { ...BASE_HEADERS, ...MODERN_HEADERS, ...session } : { ...BASE_HEADERS, ...session },
      requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: (modern ? modernCallBody : callBody)(++id) }) }],
      verifyBody: isEchoResult,
    }),
  });
await load(args.warmup);
const result = await load(args.seconds);
console.error(
  `load: ${Math.round(result.requests.total / result.duration)} req/s, p99 ${result.latency.p99} ms, ` +
    `${result.non2xx} non-2xx, ${result.errors} errors, ${result.mismatches} bad bodies`,
);
await stopChild(server, 10000);
await stopAll(); // redis-server, when the scenario started one

const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (!file) {
  console.error(`no .cpuprofile in ${dir} (the server did not exit cleanly?)`);
  process.exit(1);
}
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));

// Self time per node from samples × timeDeltas, then summed per frame (function, file, line).
const selfByNode = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  selfByNode.set(profile.samples[i], (selfByNode.get(profile.samples[i]) ?? 0) + delta);
}
const frames = new Map();
const packages = new Map();
let busy = 0;
const where = (frameUrl) => {
  if (!frameUrl) return '';
  const path = frameUrl.replace(/^file:\/\//, '');
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
};
const packageOf = (path) => {
  if (!path) return '(native / V8)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1];
  if (path.startsWith('dist/')) return 'platform (dist/)';
  if (path.startsWith('node:') || !path.includes('/')) return 'node core';
  return path;
};
for (const node of profile.nodes) {
  const self = selfByNode.get(node.id) ?? 0;
  if (self === 0) continue;
  const { functionName, url: frameUrl, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  busy += self;
  const path = where(frameUrl);
  const key = `${functionName || '(anonymous)'}  ${path}${path ? `:${lineNumber + 1}` : ''}`;
  frames.set(key, (frames.get(key) ?? 0) + self);
  const pkg = functionName.startsWith('(') && !path ? functionName : packageOf(path);
  packages.set(pkg, (packages.get(pkg) ?? 0) + self);
}
const top = (map, n) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
const pct = (us) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
console.log(`\nprofile: ${relative(ROOT, join(dir, file))}; busy (non-idle) ${(busy / 1e6).toFixed(1)} s, including start-up and warm-up`);
console.log(`\ntop ${args.top} frames by self time (share of busy time):`);
for (const [key, us] of top(frames, Number(args.top))) console.log(`${pct(us)}  ${key}`);
console.log('\nself time by package:');
for (const [key, us] of top(packages, 15)) console.log(`${pct(us)}  ${key}`);
