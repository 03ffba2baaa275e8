#!/usr/bin/env node
// npm run soak [-- --minutes N | --seconds N] [--url URL] [--concurrency C] [--ttl S] [...]
//
// The soak: mixed MCP traffic (SDK sessions opened, used and ended; sessions abandoned to
// expire; long-lived sessions; stateless calls; bad input) against one server for a while,
// then quiet. Prints a table of the server's memory, open file descriptors, live sessions,
// in-flight requests and errors per interval, and exits non-zero unless, once the traffic
// stops, they come back: sessions evicted after their TTL (in Redis too), nothing in flight,
// RSS and descriptors back near the baseline taken after warm-up, no unexpected answer.
//
// Without --url it starts its own redis-server and `node dist/main.js` (building dist/ when
// src/ is newer), with a short session TTL and a hook that lets it run a full GC before each
// reading. With --url it soaks a server already running and reads /metrics instead of /proc
// (no forced GC there; give --ttl the server's MCP_SESSION_TTL_SECONDS).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Redis } from 'ioredis';
import http from 'node:http';
import https from 'node:https';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ROOT, buildDist, describeExit, freePort, killAllNow, startNode, startRedis, stopAll, waitUntil } from '../../bench/lib/procs.mjs';

// ---------------------------------------------------------------------------------------
// Settings

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    url: { type: 'string' },
    'api-key': { type: 'string' },
    'redis-url': { type: 'string' },
    'key-prefix': { type: 'string', default: 'mcp:' },
    mode: { type: 'string', default: 'stateful' },
    concurrency: { type: 'string', default: '8' },
    ttl: { type: 'string' },
    interval: { type: 'string' },
    warmup: { type: 'string' },
    'max-rss-growth-mb': { type: 'string', default: '64' },
    'max-heap-growth-mb': { type: 'string', default: '16' },
    'fd-slack': { type: 'string', default: '8' },
    'skip-build': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(`npm run soak [-- options]
  --minutes=N           traffic for N minutes (default 10)
  --seconds=N           traffic for N seconds instead (the short soak of npm test uses this)
  --url=URL             soak a running server (its base URL, e.g. http://127.0.0.1:3000) instead of starting one
  --api-key=KEY         sent as X-API-Key (a server with auth)
  --redis-url=URL       with --url: the server's Redis, to count session keys and keys without a TTL
  --key-prefix=P        its key prefix (REDIS_KEY_PREFIX, default mcp:)
  --mode=M              stateful | stateless: the server this run starts (default stateful); with --url, what the server runs
  --concurrency=C       parallel clients (default 8)
  --ttl=S               session TTL in seconds: set on the server this run starts (default 30; 3 with --seconds),
                        with --url the server's own; the run waits that long for sessions to be evicted
  --interval=S          seconds per table row (default 60; a sixth of the run when shorter)
  --warmup=S            traffic before the baseline is taken (default 30; 3 with --seconds)
  --max-rss-growth-mb=M RSS after the run (after GC) may exceed the baseline by this much (default 64)
  --max-heap-growth-mb=M the JS heap in use after the run (after GC) may exceed the baseline by this much (default 16)
  --fd-slack=N          open descriptors after the run may exceed the baseline by this many (default 8)
  --skip-build          run the existing dist/ without running tsc
  --json                print the result as one JSON line (SOAK_RESULT {...}) at the end
Exit code: 0 when everything came back to baseline, 1 when something did not, 2 when the run could not start.
`);
  process.exit(0);
}

const number = (name, value, { min = 0 } = {}) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) fail(`bad --${name}: ${value}`);
  return parsed;
};

function fail(message) {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

const short = args.seconds !== undefined;
const durationMs = (short ? number('seconds', args.seconds, { min: 1 }) : number('minutes', args.minutes ?? '10', { min: 0.1 }) * 60) * 1000;
const mode = args.mode;
if (mode !== 'stateful' && mode !== 'stateless') fail(`--mode must be stateful or stateless, not ${mode}`);
const settings = {
  durationMs,
  mode,
  concurrency: number('concurrency', args.concurrency, { min: 1 }),
  ttlSeconds: number('ttl', args.ttl ?? (short ? '3' : '30'), { min: 1 }),
  intervalMs: args.interval ? number('interval', args.interval, { min: 1 }) * 1000 : Math.min(60_000, Math.max(1000, Math.round(durationMs / 6))),
  warmupMs: number('warmup', args.warmup ?? (short ? '3' : '30')) * 1000,
  maxRssGrowthMB: number('max-rss-growth-mb', args['max-rss-growth-mb']),
  maxHeapGrowthMB: number('max-heap-growth-mb', args['max-heap-growth-mb']),
  fdSlack: number('fd-slack', args['fd-slack']),
  keyPrefix: args['key-prefix'],
};
/** Node's http server closes idle keep-alive connections after 5 s: the clients' sockets are gone after this. */
const SOCKETS_SETTLE_MS = 6000;

// ---------------------------------------------------------------------------------------
// The server: started here, or given

let server; // { baseUrl, pid?, info?, redisUrl?, gc: boolean }
const log = (line) => process.stdout.write(`${line}\n`);

async function startServer() {
  const build = buildDist({ skip: args['skip-build'] });
  log(`build: ${build.note}`);
  const redis = await startRedis();
  const port = await freePort();
  const info = startNode(
    'mcp-platform',
    join(ROOT, 'dist', 'main.js'),
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ID: 'soak',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      MCP_SESSION_MODE: settings.mode,
      MCP_SESSION_TTL_SECONDS: String(settings.ttlSeconds),
    },
    ['--expose-gc', '--require', join(ROOT, 'test', 'soak', 'gc-on-signal.cjs')],
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(info, async () => (await get(`${baseUrl}/health/ready`)).status === 200, { what: 'ready' });
  return { baseUrl, pid: info.pid, info, redisUrl: redis.url, gc: true };
}

/** A GET with a connection of its own, closed after the answer: readings leave no socket behind. */
function get(url) {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).get(url, { agent: false, headers: authHeaders(), timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer in 10 s`)));
    request.on('error', reject);
  });
}

function authHeaders() {
  return args['api-key'] ? { 'x-api-key': args['api-key'] } : {};
}

// ---------------------------------------------------------------------------------------
// Readings

/** Sum of every sample of each metric named, from a Prometheus text exposition. */
function metricSums(text, names) {
  const sums = Object.fromEntries(names.map((name) => [name, undefined]));
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] in sums) sums[match[1]] = (sums[match[1]] ?? 0) + Number(match[2]);
  }
  return sums;
}

let redisProbe;

/** Session hashes, all keys under the prefix, and those of them without a TTL (a leak: every key the platform writes expires). */
async function redisReading() {
  if (!redisProbe) return {};
  const prefix = settings.keyPrefix;
  let cursor = '0';
  const keys = [];
  do {
    const [next, batch] = await redisProbe.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const ttls = await Promise.all(keys.map((key) => redisProbe.pttl(key)));
  const memory = /used_memory:(\d+)/.exec(await redisProbe.info('memory'))?.[1];
  return {
    sessionKeys: keys.filter((key) => key.endsWith(':session')).length,
    keys: keys.length,
    keysWithoutTtl: keys.filter((_, index) => ttls[index] === -1),
    redisMB: memory === undefined ? undefined : Number(memory) / 2 ** 20,
  };
}

/** The server's figures now; after a full GC when the server is ours. */
async function reading({ gc = true } = {}) {
  let rssMB;
  let fds;
  if (server.pid) {
    const rss = () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
    rssMB = rss();
    if (gc && server.gc) {
      // The collection runs when the server's event loop gets to the signal, and V8 hands pages
      // back right after: the lowest RSS over the next second is the one after collection.
      process.kill(server.pid, 'SIGUSR2');
      for (let poll = 0; poll < 20; poll += 1) {
        await sleep(50);
        rssMB = Math.min(rssMB, rss());
      }
    }
    // Read before the scrape: its own connection is not counted.
    fds = readdirSync(`/proc/${server.pid}/fd`).length;
  }
  const scrape = await get(`${server.baseUrl}/metrics`);
  if (scrape.status !== 200) throw new Error(`/metrics answered ${scrape.status}`);
  const sums = metricSums(scrape.body, [
    'mcp_active_requests',
    'mcp_sessions_active',
    'process_resident_memory_bytes',
    'process_open_fds',
    'nodejs_heap_size_used_bytes',
  ]);
  return {
    at: Date.now(),
    rssMB: rssMB ?? sums.process_resident_memory_bytes / 2 ** 20,
    heapMB: sums.nodejs_heap_size_used_bytes / 2 ** 20,
    fds: fds ?? sums.process_open_fds,
    sessions: sums.mcp_sessions_active,
    inFlight: sums.mcp_active_requests,
    ...(await redisReading()),
  };
}

// ---------------------------------------------------------------------------------------
// Traffic

const ACCEPT = 'application/json, text/event-stream';
const stats = { requests: 0, unexpected: 0, refused: 0, retried: 0, samples: [] };
let intervalStats = { requests: 0, unexpected: 0, refused: 0, retried: 0 };

/**
 * A fetch that counts what it sends (the SDK clients' requests too) and, as a client should,
 * sends a request refused with 503 and Retry-After again after that delay (twice at most): a
 * store slower than its command timeout on a loaded machine is an answer the contract allows,
 * a replica that keeps refusing is not.
 */
const countingFetch = async (input, init) => {
  for (let attempt = 0; ; attempt += 1) {
    stats.requests += 1;
    intervalStats.requests += 1;
    const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) });
    const retryAfter = response.headers.get('retry-after');
    if (response.status !== 503 || retryAfter === null || attempt === 2) return response;
    await response.arrayBuffer();
    stats.retried += 1;
    intervalStats.retried += 1;
    await sleep((Number(retryAfter) || 1) * 1000);
  }
};

function unexpected(what, detail) {
  stats.unexpected += 1;
  intervalStats.unexpected += 1;
  if (stats.samples.length < 20) stats.samples.push(`${what}: ${String(detail).slice(0, 300)}`);
}

function refused() {
  stats.refused += 1;
  intervalStats.refused += 1;
}

/** A raw POST to /mcp: status, headers and the JSON-RPC messages (JSON or SSE). */
async function post(body, headers = {}) {
  const response = await countingFetch(`${server.baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...authHeaders(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let messages = [];
  try {
    if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      messages = text
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => JSON.parse(line.slice(6)));
    } else if (text.trim() !== '') {
      const parsed = JSON.parse(text);
      messages = Array.isArray(parsed) ? parsed : [parsed];
    }
  } catch {
    messages = [{ unparsable: text.slice(0, 200) }];
  }
  return { status: response.status, headers: response.headers, messages };
}

const call = (id, name, args) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
const initialize = (id) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'soak-raw', version: '1.0.0' } },
});

let nextId = 1;
const stateful = () => settings.mode === 'stateful';

/** Opens a session with raw requests; returns its headers. */
async function openRawSession() {
  if (!stateful()) return {};
  const init = await post(initialize(nextId++));
  const sessionId = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !sessionId) throw new Error(`initialize answered ${init.status}: ${JSON.stringify(init.messages).slice(0, 200)}`);
  const ready = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sessionId });
  if (ready.status !== 202) throw new Error(`notifications/initialized answered ${ready.status}`);
  return { 'mcp-session-id': sessionId };
}

/**
 * The headers of a worker's long-lived session. One left idle for half its TTL is replaced
 * (and left to expire) before it is used, so a 404 is always a defect, however slow the run.
 * The idle time counts from when its last request was sent: never less than the server's.
 */
async function longLived(sessions, index) {
  const session = sessions[index];
  if (Date.now() - session.usedAt > (settings.ttlSeconds * 1000) / 2) sessions[index] = await openLongLived();
  sessions[index].usedAt = Date.now();
  return sessions[index].headers;
}

async function openLongLived() {
  return { headers: await openRawSession(), usedAt: Date.now() };
}

/** tools/call add with a fresh id; throws unless the answer is its sum. */
async function addRaw(headers) {
  const id = nextId++;
  const a = id % 1000;
  const answer = await post(call(id, 'add', { a, b: 1 }), headers);
  const message = answer.messages.find((candidate) => candidate.id === id);
  if (answer.status !== 200 || message?.result?.structuredContent?.result !== a + 1) {
    throw new Error(`add answered ${answer.status}: ${JSON.stringify(answer.messages).slice(0, 200)}`);
  }
}

/** A whole SDK session: connect, list, call (with progress), ping, end (DELETE). */
async function sdkSession() {
  const client = new Client({ name: 'soak', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
    fetch: countingFetch,
    requestInit: { headers: authHeaders() },
  });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    if (!tools.some((tool) => tool.name === 'add')) throw new Error('tools/list without add');
    const sum = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
    if (sum.structuredContent?.result !== 42) throw new Error(`add: ${JSON.stringify(sum)}`);
    if (hasProgressTool) {
      const progress = [];
      await client.callTool({ name: 'generate_numbers', arguments: { count: 3, delayMs: 5 } }, undefined, {
        onprogress: (update) => progress.push(update.progress),
      });
      if (progress.length !== 3) throw new Error(`generate_numbers sent ${progress.length} progress notifications`);
    }
    await client.ping();
    if (stateful()) await transport.terminateSession();
  } finally {
    await client.close();
  }
}

/** A session opened and used, then left to expire (or, stateless, calls that stand alone). */
async function abandonedSession() {
  const headers = await openRawSession();
  await addRaw(headers);
  await addRaw(headers);
}

/** Bad input, each with the answer CONTRACT.md promises ("What bad input gets"). */
const BAD_INPUT = [
  { what: 'body not JSON', body: '{"jsonrpc":"2.0",', status: 400, code: -32700 },
  { what: 'not JSON-RPC', body: '{"hello":"world"}', status: 400, code: -32600 },
  { what: 'empty batch', body: '[]', status: 400, code: -32600 },
  { what: 'unknown method', body: () => ({ jsonrpc: '2.0', id: nextId++, method: 'no/such/method' }), session: true, status: 200, code: -32601 },
  { what: 'unknown tool', body: () => call(nextId++, 'no_such_tool', {}), session: true, status: 200, code: -32602 },
  { what: 'arguments failing the schema', body: () => call(nextId++, 'add', { a: 'one' }), session: true, status: 200, isError: true },
  {
    what: 'unknown session',
    body: () => call(nextId++, 'add', { a: 1, b: 1 }),
    headers: { 'mcp-session-id': 'no-such-session' },
    status: 404,
    statefulOnly: true,
  },
  { what: 'no session', body: () => call(nextId++, 'add', { a: 1, b: 1 }), status: 400, statefulOnly: true },
  {
    what: 'body over the limit',
    body: () => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1_100_000) } }),
    status: 413,
  },
  { what: 'wrong Accept', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}', headers: { accept: 'text/plain' }, status: 406 },
  { what: 'wrong Content-Type', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}', headers: { 'content-type': 'text/plain' }, status: 415 },
];

async function badInput(worker, sessions) {
  const cases = BAD_INPUT.filter((entry) => stateful() || !entry.statefulOnly);
  const entry = cases[Math.floor(Math.random() * cases.length)];
  const body = typeof entry.body === 'function' ? entry.body() : entry.body;
  const headers = { ...(entry.session ? await longLived(sessions, worker) : {}), ...entry.headers };
  const answer = await post(body, headers);
  const message = answer.messages[0];
  const ok =
    answer.status === entry.status &&
    (entry.code === undefined || message?.error?.code === entry.code) &&
    (entry.isError === undefined || message?.result?.isError === entry.isError);
  if (!ok) return unexpected(`bad input (${entry.what})`, `${answer.status} ${JSON.stringify(answer.messages)}`);
  refused();
}

/** Requests outside any session: introspection, health, and (stateful) a call refused for want of a session. */
async function sessionless() {
  const tools = await countingFetch(`${server.baseUrl}/tools`, { headers: authHeaders() });
  await tools.arrayBuffer();
  if (tools.status !== 200) unexpected('GET /tools', tools.status);
  if (!stateful()) await addRaw({});
}

let hasProgressTool = false;

/** One client: picks an action at random, again and again, until `running()` is false. */
async function worker(index, sessions, running) {
  const actions = [
    [3, () => sdkSession()],
    [2, () => abandonedSession()],
    [4, async () => addRaw(await longLived(sessions, index))],
    [2, () => badInput(index, sessions)],
    [1, () => sessionless()],
  ];
  const total = actions.reduce((sum, [weight]) => sum + weight, 0);
  while (running()) {
    let pick = Math.random() * total;
    const [, action] = actions.find(([weight]) => (pick -= weight) < 0) ?? actions[0];
    try {
      await action();
    } catch (error) {
      unexpected('traffic', error instanceof Error ? `${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ''}` : error);
      // A session lost to an error is replaced, so one failure does not make all the rest.
      if (stateful()) sessions[index] = await openLongLived().catch(() => sessions[index]);
    }
  }
}

async function traffic(durationMs, onInterval) {
  const sessions = [];
  for (let index = 0; index < settings.concurrency; index += 1) sessions.push(await openLongLived());
  const until = Date.now() + durationMs;
  const running = () => Date.now() < until;
  const workers = Array.from({ length: settings.concurrency }, (_, index) => worker(index, sessions, running));
  if (onInterval) {
    const started = Date.now();
    for (let tick = 1; running(); tick += 1) {
      await sleep(Math.max(0, Math.min(started + tick * settings.intervalMs, until) - Date.now()));
      await onInterval();
    }
  }
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------
// The table

const COLUMNS = [
  ['t', 8, (row) => row.label],
  ['requests', 9, (row) => row.requests ?? ''],
  ['req/s', 7, (row) => (row.rate === undefined ? '' : row.rate.toFixed(0))],
  ['errors', 7, (row) => row.unexpected ?? ''],
  ['refused', 8, (row) => row.refused ?? ''],
  ['retried', 8, (row) => row.retried ?? ''],
  ['rss MB', 8, (row) => row.rssMB.toFixed(1)],
  ['heap MB', 8, (row) => row.heapMB.toFixed(1)],
  ['fds', 5, (row) => row.fds],
  ['sessions', 9, (row) => row.sessions ?? '?'],
  ['in-flight', 10, (row) => row.inFlight ?? '?'],
  ['redis MB', 9, (row) => (row.redisMB === undefined ? '' : row.redisMB.toFixed(1))],
];

function printHeader() {
  log(COLUMNS.map(([name, width]) => name.padStart(width)).join(' '));
}

function printRow(row) {
  log(COLUMNS.map(([, width, value]) => String(value(row)).padStart(width)).join(' '));
}

const elapsed = (since) => {
  const seconds = Math.round((Date.now() - since) / 1000);
  return seconds >= 120 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}` : `${seconds}s`;
};

// ---------------------------------------------------------------------------------------
// The run

async function main() {
  server = args.url ? { baseUrl: args.url.replace(/\/$/, ''), redisUrl: args['redis-url'], gc: false } : await startServer();
  if (server.redisUrl) {
    redisProbe = new Redis(server.redisUrl, { maxRetriesPerRequest: 1 });
    // Failures show in the readings; the connection's own events would only repeat them.
    redisProbe.on('error', () => undefined);
  }
  const listed = JSON.parse((await get(`${server.baseUrl}/tools`)).body);
  hasProgressTool = listed.tools?.some((tool) => tool.name === 'generate_numbers') ?? false;

  log(
    `soak: ${server.baseUrl} (${args.url ? 'given' : `started here, pid ${server.pid}`}), ${settings.mode}, ` +
      `${settings.concurrency} clients, ${(settings.durationMs / 1000).toFixed(0)} s of traffic after ${settings.warmupMs / 1000} s of warm-up, ` +
      `session TTL ${settings.ttlSeconds} s${server.gc ? '' : ' (no forced GC: readings include garbage)'}`,
  );

  // Warm-up (lazy initialisation, JIT, pools), then the baseline once it is quiet.
  await traffic(settings.warmupMs);
  await sleep(SOCKETS_SETTLE_MS);
  const baseline = await reading();
  printHeader();
  printRow({ label: 'baseline', ...baseline });
  Object.assign(stats, { requests: 0, unexpected: 0, refused: 0, retried: 0, samples: [] });
  intervalStats = { requests: 0, unexpected: 0, refused: 0, retried: 0 };

  const started = Date.now();
  const rows = [];
  let lastAt = started;
  await traffic(settings.durationMs, async () => {
    const now = Date.now();
    const row = { label: elapsed(started), ...intervalStats, rate: (intervalStats.requests * 1000) / Math.max(1, now - lastAt), ...(await reading()) };
    intervalStats = { requests: 0, unexpected: 0, refused: 0, retried: 0 };
    lastAt = now;
    rows.push(row);
    printRow(row);
  });

  // Quiet: sessions must be evicted within their TTL (plus the store's bookkeeping), sockets close.
  const stoppedAt = Date.now();
  const evictionDeadline = stoppedAt + settings.ttlSeconds * 1000 + Math.max(5000, settings.ttlSeconds * 100);
  let final = await reading({ gc: false });
  while (Date.now() < evictionDeadline && !(final.sessions === 0 && (final.sessionKeys ?? 0) === 0)) {
    await sleep(1000);
    final = await reading({ gc: false });
  }
  const settleDeadline = Math.max(Date.now(), stoppedAt + SOCKETS_SETTLE_MS) + 15_000;
  do {
    await sleep(1000);
    final = await reading();
  } while (Date.now() < settleDeadline && !(final.fds <= baseline.fds + settings.fdSlack && final.inFlight === 0));
  printRow({ label: 'final', ...final });

  const checks = [
    { name: 'no unexpected answer', ok: stats.unexpected === 0, detail: `${stats.unexpected} of ${stats.requests} requests` },
    { name: 'sessions evicted after their TTL', ok: final.sessions === 0, detail: `mcp_sessions_active ${final.sessions}` },
    ...(final.sessionKeys === undefined
      ? []
      : [{ name: 'no session left in Redis', ok: final.sessionKeys === 0, detail: `${final.sessionKeys} session keys` }]),
    ...(final.keysWithoutTtl === undefined
      ? []
      : [
          {
            name: 'every Redis key expires',
            ok: final.keysWithoutTtl.length === 0,
            detail: final.keysWithoutTtl.slice(0, 5).join(', ') || `${final.keys} keys, all with a TTL`,
          },
        ]),
    { name: 'nothing in flight', ok: final.inFlight === 0, detail: `mcp_active_requests ${final.inFlight}` },
    {
      name: 'open descriptors back to baseline',
      ok: final.fds <= baseline.fds + settings.fdSlack,
      detail: `${baseline.fds} → ${final.fds} (slack ${settings.fdSlack})`,
    },
    {
      name: 'RSS back near baseline',
      ok: final.rssMB - baseline.rssMB <= settings.maxRssGrowthMB,
      detail: `${baseline.rssMB.toFixed(1)} → ${final.rssMB.toFixed(1)} MB (limit +${settings.maxRssGrowthMB} MB${server.gc ? ', after GC' : ''})`,
    },
    {
      // The sharper leak test: V8 and malloc keep pages they freed, so RSS lags behind the heap.
      name: 'JS heap back near baseline',
      ok: final.heapMB - baseline.heapMB <= settings.maxHeapGrowthMB,
      detail: `${baseline.heapMB.toFixed(1)} → ${final.heapMB.toFixed(1)} MB in use (limit +${settings.maxHeapGrowthMB} MB${server.gc ? ', after GC' : ''})`,
    },
    ...(server.info
      ? [{ name: 'the server stayed up', ok: !server.info.exited, detail: server.info.exited ? describeExit(server.info) : `pid ${server.pid}` }]
      : []),
  ];
  const totals = {
    requests: stats.requests,
    unexpected: stats.unexpected,
    refused: stats.refused,
    retried: stats.retried,
    seconds: (Date.now() - started) / 1000,
  };
  log('');
  for (const check of checks) log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  for (const sample of stats.samples) log(`     ${sample}`);
  const ok = checks.every((check) => check.ok);
  log(
    `${ok ? 'soak passed' : 'soak FAILED'}: ${totals.requests} requests (${totals.refused} bad ones refused as they should be, ` +
      `${totals.retried} sent again after a 503 with Retry-After) in ${totals.seconds.toFixed(0)} s`,
  );
  if (args.json) log(`SOAK_RESULT ${JSON.stringify({ ok, settings, checks, baseline, final, rows, totals, samples: stats.samples })}`);
  return ok ? 0 : 1;
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`\n${signal}: stopping`);
    redisProbe?.disconnect();
    void stopAll().finally(() => process.exit(130));
  });
}

let code = 2;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`soak: ${error instanceof Error ? error.message : error}\n`);
  if (server?.info?.exited) process.stderr.write(`${describeExit(server.info)}\n`);
} finally {
  redisProbe?.disconnect();
  await stopAll();
}
process.exit(code);
