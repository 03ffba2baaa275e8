// Memory measurements of a platform process: idle RSS, the RSS and Redis cost of one idle
// session, and GC pauses read from the gc-probe preloaded into the server.
import http from 'node:http';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, describeExit, rssMB } from './procs.mjs';
import { BASE_HEADERS, INITIALIZED_BODY, PROTOCOL_VERSION, checkEcho, initializeBody } from './mcp.mjs';

// ---------------------------------------------------------------------------------------
// GC probe

const GC_PROBE = join(ROOT, 'bench', 'lib', 'gc-probe.cjs');

/**
 * Node arguments that preload the GC probe; pass as `nodeArgs` of `startNode(name, script,
 * env, nodeArgs)` together with the env of {@link gcProbeEnv} (or BENCH_GC_FILE yourself).
 * @returns {string[]} `['--require', '<abs>/bench/lib/gc-probe.cjs']`
 */
export function gcProbeArgs() {
  return ['--require', GC_PROBE];
}

let scratchDir;
/**
 * A fresh path for a server's GC report (in a private temp directory of this run).
 * @param {string} name  a label, e.g. the target key
 * @returns {string} absolute path for env `BENCH_GC_FILE`
 */
export function gcProbeFile(name) {
  scratchDir ??= mkdtempSync(join(tmpdir(), 'mcp-bench-'));
  return join(scratchDir, `gc-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

/**
 * Env for a server with the GC probe: BENCH_GC_FILE and, with `forceGc`, BENCH_GC_FORCE=1
 * (lets readGcStats(…, {forceGc: true}) run full GCs in the server on request: for memory
 * measurements; leave it off for pause figures of a load, which don't need it).
 * @param {string} file  from {@link gcProbeFile}
 * @param {{forceGc?:boolean}} [options]
 * @returns {Record<string,string>}
 */
export function gcProbeEnv(file, { forceGc = false } = {}) {
  return { BENCH_GC_FILE: file, ...(forceGc && { BENCH_GC_FORCE: '1' }) };
}

const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // absent (never written); never half-written: the probe renames
  }
};

/**
 * Asks the probe of a server for its GC pauses since start or the previous call (SIGUSR2),
 * waits for the new report (polls, up to `timeoutMs`) and returns it. Each call starts a new
 * window, so call it once before a load (to reset) and once after (to read the load's GCs).
 * @param {{pid:number, exited?:object|null}} proc  a child from procs.mjs, started with gcProbeArgs() and BENCH_GC_FILE=file
 * With `forceGc` (server started with BENCH_GC_FORCE=1) the server also runs two full GCs
 * after the figures are taken and reports `memoryAfterGc`; without that env it is absent.
 * @param {string} file  the server's BENCH_GC_FILE
 * @param {{timeoutMs?:number, forceGc?:boolean}} [options]
 * @returns {Promise<{count:number,p50:number,p99:number,max:number,totalMs:number,byKind:Record<string,{count:number,p50:number,p99:number,max:number,totalMs:number}>,sinceMs:number,gcMsPerSec:number,memory:{rss:number,heapTotal:number,heapUsed:number,external:number,arrayBuffers:number},memoryAfterGc?:object,seq:number,pid:number}>}
 */
export async function readGcStats(proc, file, { timeoutMs = 3000, forceGc = false } = {}) {
  const before = readJson(file);
  if (forceGc) writeFileSync(`${file}.gc-request`, '');
  // seq counts reports per process; pid tells a restarted server's first report from an old one.
  const isNew = (report) => report && (report.pid !== before?.pid || report.seq !== before?.seq);
  process.kill(proc.pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited) throw new Error(`gc probe: pid ${proc.pid} exited (SIGUSR2 without the probe terminates a process)`);
    const report = existsSync(file) ? readJson(file) : undefined;
    if (isNew(report) && report.pid === proc.pid) {
      if (forceGc) {
        try {
          unlinkSync(`${file}.gc-request`); // not consumed: the server runs without BENCH_GC_FORCE
        } catch {}
      }
      return report;
    }
    await sleep(20);
  }
  throw new Error(`gc probe: no report in ${file} within ${timeoutMs} ms (was the server started with gcProbeArgs() and BENCH_GC_FILE?)`);
}

// ---------------------------------------------------------------------------------------
// Settings for session measurements

/**
 * Environment for a platform measured with many sessions. Anonymous callers without a tenant
 * (the bench's) are not counted against `sessions.maxPerPrincipal` (1,000) / `maxPerTenant`
 * (10,000) — see src/mcp/edges/http/session-caps.ts — but the caps have no environment
 * variable, so this writes a config file raising both to 10 million (MCP_CONFIG), in case a
 * run adds an API key or a tenant. TTL: 2 hours (default 1,800 s), so no idle session expires
 * during a measurement, however slow the machine.
 * @returns {Record<string,string>} env to merge into platformEnv(): MCP_CONFIG, MCP_SESSION_TTL_SECONDS
 */
export function sessionBenchEnv() {
  scratchDir ??= mkdtempSync(join(tmpdir(), 'mcp-bench-'));
  const file = join(scratchDir, 'sessions.yaml');
  writeFileSync(file, 'sessions:\n  maxPerPrincipal: 10000000\n  maxPerTenant: 10000000\n');
  return { MCP_CONFIG: file, MCP_SESSION_TTL_SECONDS: '7200' };
}

// ---------------------------------------------------------------------------------------
// RSS

/** Median of numbers. */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Several VmRSS readings `intervalMs` apart. One reading swings by MBs with where the
 * collector is (young generation full or just emptied, freed pages not yet returned), and
 * garbage and transient buffers only ever add to RSS: the minimum is the best estimate of
 * what the process retains; the median is returned too.
 */
async function rssReadingsOf(pid, { readings = 5, intervalMs = 400 } = {}) {
  const values = [];
  for (let i = 0; i < readings; i++) {
    if (i > 0) await sleep(intervalMs);
    const value = rssMB(pid);
    if (value !== null) values.push(value);
  }
  if (values.length === 0) throw new Error(`no RSS for pid ${pid}: the process is gone`);
  return { min: Math.min(...values), median: median(values), values };
}

/**
 * RSS (MB, VmRSS from /proc) of a server that is ready and idle: waits `settleMs` (start-up
 * garbage collected, lazy work done), then takes `readings` readings and returns the lowest.
 * @param {{pid:number}} proc  a child from procs.mjs, already ready
 * @param {{settleMs?:number, readings?:number}} [options]
 * @returns {Promise<number>} MB
 */
export async function idleRss(proc, { settleMs = 1500, readings = 3 } = {}) {
  await sleep(settleMs);
  if (proc.exited) throw new Error(`idleRss: ${describeExit(proc)}`);
  return (await rssReadingsOf(proc.pid, { readings, intervalMs: 300 })).min;
}

// ---------------------------------------------------------------------------------------
// Redis (a raw RESP client: one command per connection, no dependency on redis-cli)

function encodeCommand(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`;
  return out;
}

/** Parses one RESP reply at `offset`; returns [value, nextOffset] or null when incomplete. */
function parseReply(buffer, offset = 0) {
  const end = buffer.indexOf('\r\n', offset);
  if (end < 0) return null;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, end);
  const next = end + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new Error(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buffer.length < next + length + 2) return null;
      return [buffer.toString('utf8', next, next + length), next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const parsed = parseReply(buffer, at);
        if (!parsed) return null;
        items.push(parsed[0]);
        at = parsed[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/**
 * Sends commands to a Redis on 127.0.0.1:port (pipelined on one connection) and resolves
 * their replies in order (Redis errors as Error values).
 * @param {number} port
 * @param {Array<Array<string|number>>} commands
 * @returns {Promise<unknown[]>}
 */
export function redisCommands(port, commands) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    const replies = [];
    socket.setTimeout(10000, () => socket.destroy(new Error(`redis on ${port}: timeout`)));
    socket.on('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let parsed;
      while (replies.length < commands.length && (parsed = parseReply(buffer))) {
        replies.push(parsed[0]);
        buffer = buffer.subarray(parsed[1]);
      }
      if (replies.length === commands.length) {
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (replies.length < commands.length) reject(new Error(`redis on ${port}: connection closed`));
    });
  });
}

/**
 * Redis memory figures: `INFO memory` fields (bytes) and DBSIZE.
 * @param {number} port
 * @returns {Promise<{usedMemory:number, usedMemoryDataset:number|null, usedMemoryRss:number, dbsize:number}>}
 */
export async function redisMemory(port) {
  const [info, dbsize] = await redisCommands(port, [['INFO', 'memory'], ['DBSIZE']]);
  const field = (name) => {
    const match = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
    return match ? Number(match[1]) : null;
  };
  return { usedMemory: field('used_memory'), usedMemoryDataset: field('used_memory_dataset'), usedMemoryRss: field('used_memory_rss'), dbsize };
}

/** Every key (SCAN), for a few hundred thousand keys at most. */
async function redisScanAll(port, match = '*') {
  const keys = [];
  let cursor = '0';
  do {
    const [[next, batch]] = await redisCommands(port, [['SCAN', cursor, 'MATCH', match, 'COUNT', 5000]]);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * What a session leaves in Redis: every key naming `sessionId` (type, MEMORY USAGE, PTTL,
 * length), the keys that index all sessions (with their entry counts and size), and all
 * keys grouped by pattern (ids replaced by `<id>`).
 * @param {number} port
 * @param {string} sessionId
 */
export async function redisSessionKeys(port, sessionId) {
  const describe = async (key) => {
    const [type, bytes, pttl] = await redisCommands(port, [
      ['TYPE', key],
      ['MEMORY', 'USAGE', key, 'SAMPLES', 0],
      ['PTTL', key],
    ]);
    const [length] = await redisCommands(port, [
      type === 'hash'
        ? ['HLEN', key]
        : type === 'zset'
          ? ['ZCARD', key]
          : type === 'list'
            ? ['LLEN', key]
            : type === 'set'
              ? ['SCARD', key]
              : ['STRLEN', key],
    ]);
    return { key, type, bytes, pttlMs: pttl, length };
  };
  const all = await redisScanAll(port);
  const patterns = {};
  for (const key of all) {
    const pattern = key.replace(UUID, '<id>');
    patterns[pattern] = (patterns[pattern] ?? 0) + 1;
  }
  const own = all.filter((key) => key.includes(sessionId));
  // Keys without an id (indexes, owner sets) are shared by all sessions: their size / count is per session.
  const shared = Object.entries(patterns)
    .filter(([pattern, n]) => n === 1 && !pattern.includes('<id>'))
    .map(([pattern]) => pattern);
  return {
    sessionKeys: await Promise.all(own.map(describe)),
    sharedKeys: await Promise.all(shared.map(describe)),
    keyPatterns: patterns,
  };
}

// ---------------------------------------------------------------------------------------
// Opening many sessions

/** One HTTP request on a keep-alive agent; resolves {status, headers, body}. */
function request(agent, url, { method = 'POST', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent, headers: { ...headers, ...(body !== undefined && { 'content-length': Buffer.byteLength(body) }) } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(15000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Opens sessions as an SDK client does: initialize, then notifications/initialized with the
 * session id. (An SDK client would then also open a GET /mcp event stream: not done here, so
 * the figures are for sessions without an open stream.)
 * @returns {Promise<{ids:string[], failed:number, errors:string[]}>}
 */
export async function openSessions(url, { count, concurrency = 50 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const ids = [];
  const errors = [];
  let failed = 0;
  let next = 0;
  const one = async () => {
    const init = await request(agent, url, { headers: BASE_HEADERS, body: initializeBody(0) });
    const id = init.headers['mcp-session-id'];
    if (init.status !== 200 || !id) throw new Error(`initialize: HTTP ${init.status} ${init.body.slice(0, 200)}`);
    const ready = await request(agent, url, {
      headers: { ...BASE_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION },
      body: INITIALIZED_BODY,
    });
    if (ready.status !== 202) throw new Error(`notifications/initialized: HTTP ${ready.status} ${ready.body.slice(0, 200)}`);
    return id;
  };
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        ids.push(await one());
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  agent.destroy();
  return { ids, failed, errors };
}

async function deleteSessions(url, ids, concurrency = 20) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        await request(agent, url, { method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION } }).catch(() => {});
      }
    }),
  );
  agent.destroy();
}

/**
 * heapUsed after `rounds` rounds of forced full GCs. One round is not enough: full GCs age
 * bytecode and V8 flushes that of functions not run lately (start-up code), so a heap read
 * after few GCs may shrink by MBs over the next ones whatever the sessions hold; several
 * rounds make the before and after readings more comparable.
 */
async function settledHeap(proc, gcFile, rounds) {
  let memory;
  for (let i = 0; i < rounds; i++) memory = (await readGcStats(proc, gcFile, { forceGc: true })).memoryAfterGc;
  return memory;
}

/**
 * The memory one idle session costs: opens `count` sessions (initialize +
 * notifications/initialized, kept open: never DELETEd) and compares the server's RSS — and,
 * with `redisPort`, Redis `used_memory` and DBSIZE — before and after. Before the baseline,
 * `warmup` sessions are opened, used once and DELETEd, so code compiled on first use and
 * pools grown for the first requests are not charged to the sessions. After opening, waits
 * `settleMs` (answered streams are dropped from the event store) and takes the lowest of
 * several RSS readings (see rssReadingsOf). Then checks that a sample of the sessions still
 * answers a tools/call (none expired or was evicted).
 *
 * RSS alone mostly measures V8's heap growth: opening 10,000 sessions makes ~100 MB of
 * garbage, the heap grows to hold it and RSS stays up long after (13 KB "per session" on the
 * memory store where a heap snapshot finds 0.5 KB retained). So when the server runs with the
 * GC probe and BENCH_GC_FORCE=1 (`gcFile` given), both readings are taken right after
 * forced full GCs, and `retainedHeapPerSessionBytes` (heapUsed after GC) is the better
 * figure; rssPerSessionBytes is then what RSS keeps after a full GC (V8 keeps the pages it
 * grew into, so it is still noise-dominated). Even after GC, heapUsed moves by ±3 MB between
 * two states for reasons of its own (compiled code, feedback), so at 10,000 sessions the
 * heap figure is good to about ±500 B; pass `count: 50000` for ±100 B (measured: 298 B
 * retained heap, 461 B RSS per session on the memory store). A heap snapshot diff is the
 * precise tool: 4 objects, 2 strings, 2 numbers, ~490 B per session on the memory store.
 *
 * Run the server with {@link sessionBenchEnv} merged into its env (caps, TTL).
 *
 * @param {object} o
 * @param {string} o.url  the server's /mcp URL
 * @param {{pid:number}} o.proc  its child (procs.mjs)
 * @param {number} [o.count=10000]
 * @param {number} [o.concurrency=50]
 * @param {number} [o.redisPort]  the Redis the server keeps sessions in
 * @param {number} [o.settleMs=12000]
 * @param {number} [o.warmup=200]
 * @param {string} [o.gcFile]  BENCH_GC_FILE of a server started with gcProbeArgs() and gcProbeEnv(file, {forceGc: true})
 * @param {number} [o.gcRounds=5]  forced-GC rounds (two full GCs each) before each heap reading
 * @returns {Promise<{sessions:number, failed:number, errors:string[], rssBeforeMB:number, rssAfterMB:number, rssReadingsMB:{before:number[],after:number[]}, rssPerSessionBytes:number, rssAfterForcedGc:boolean, heapUsedBeforeMB?:number, heapUsedAfterMB?:number, retainedHeapPerSessionBytes?:number, externalPerSessionBytes?:number, redisBefore?:object, redisAfter?:object, redisPerSessionBytes?:number, keysPerSession?:number, redisKeys?:object, aliveChecked:number, aliveFailed:number, openSeconds:number, sessionsPerSec:number, seconds:number}>}
 */
export async function idleSessionCost({ url, proc, count = 10000, concurrency = 50, redisPort, settleMs = 12000, warmup = 200, gcFile, gcRounds = 5 }) {
  const started = Date.now();
  const rssReadings = async (pid, options) => {
    if (proc.exited) throw new Error(`idleSessionCost: ${describeExit(proc)}`);
    return rssReadingsOf(pid, options);
  };
  if (warmup > 0) {
    const warm = await openSessions(url, { count: warmup, concurrency });
    if (warm.ids.length === 0) throw new Error(`warm-up: no session opened: ${warm.errors.join('; ')}`);
    for (const id of warm.ids.slice(0, 20)) await checkEcho(url, { 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION });
    await deleteSessions(url, warm.ids);
  }
  await sleep(settleMs);
  const rssBeforeNoGc = gcFile ? await rssReadings(proc.pid, { readings: 3 }) : undefined;
  // Forced GC first, RSS after it: both readings then hold live data and freed-but-kept pages only.
  const heapBefore = gcFile ? await settledHeap(proc, gcFile, gcRounds) : undefined;
  const rssBefore = await rssReadings(proc.pid);
  const redisBefore = redisPort ? await redisMemory(redisPort) : undefined;

  const openStarted = Date.now();
  const { ids, failed, errors } = await openSessions(url, { count, concurrency });
  const openSeconds = (Date.now() - openStarted) / 1000;
  if (proc.exited) throw new Error(`after opening ${ids.length} sessions (${failed} failed: ${errors[0] ?? ''}): ${describeExit(proc)}`);

  await sleep(settleMs);
  const rssAfterNoGc = gcFile ? await rssReadings(proc.pid, { readings: 3 }) : undefined;
  const heapAfter = gcFile ? await settledHeap(proc, gcFile, gcRounds) : undefined;
  const rssAfter = await rssReadings(proc.pid);
  const redisAfter = redisPort ? await redisMemory(redisPort) : undefined;
  const redisKeys = redisPort && ids.length ? await redisSessionKeys(redisPort, ids[0]) : undefined;

  // Sessions spread over the whole list are still served (after the readings: a call allocates).
  let aliveChecked = 0;
  let aliveFailed = 0;
  const step = Math.max(1, Math.floor(ids.length / 20));
  for (let i = 0; i < ids.length; i += step) {
    aliveChecked++;
    try {
      await checkEcho(url, { 'mcp-session-id': ids[i], 'mcp-protocol-version': PROTOCOL_VERSION });
    } catch {
      aliveFailed++;
    }
  }

  const n = ids.length || 1;
  const MB = 2 ** 20;
  const result = {
    sessions: ids.length,
    failed,
    errors,
    rssBeforeMB: rssBefore.min,
    rssAfterMB: rssAfter.min,
    rssReadingsMB: { before: rssBefore.values, after: rssAfter.values },
    rssPerSessionBytes: Math.round(((rssAfter.min - rssBefore.min) * MB) / n),
    rssAfterForcedGc: Boolean(heapBefore && heapAfter),
    // What RSS shows without the forced GC (what an operator sees), when the probe is there.
    ...(rssBeforeNoGc && {
      rssNoGcBeforeMB: rssBeforeNoGc.min,
      rssNoGcAfterMB: rssAfterNoGc.min,
      rssNoGcPerSessionBytes: Math.round(((rssAfterNoGc.min - rssBeforeNoGc.min) * MB) / n),
    }),
    aliveChecked,
    aliveFailed,
    openSeconds,
    sessionsPerSec: ids.length / openSeconds,
  };
  if (gcFile && !(heapBefore && heapAfter)) result.note = 'no memoryAfterGc: start the server with gcProbeEnv(file, { forceGc: true })';
  if (heapBefore && heapAfter) {
    result.heapUsedBeforeMB = heapBefore.heapUsed / MB;
    result.heapUsedAfterMB = heapAfter.heapUsed / MB;
    result.retainedHeapPerSessionBytes = Math.round((heapAfter.heapUsed - heapBefore.heapUsed) / n);
    result.externalPerSessionBytes = Math.round((heapAfter.external - heapBefore.external) / n);
  }
  if (redisBefore && redisAfter) {
    result.redisBefore = redisBefore;
    result.redisAfter = redisAfter;
    result.redisPerSessionBytes = Math.round((redisAfter.usedMemory - redisBefore.usedMemory) / n);
    result.keysPerSession = (redisAfter.dbsize - redisBefore.dbsize) / n;
    result.redisKeys = redisKeys;
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
