#!/usr/bin/env node
// Exercises memory.mjs, gc-probe.cjs and replicas.mjs by hand against real processes (and
// shows how to call them):
//   node bench/lib/try-memory.mjs [--only=memory,redis,gc,replicas] [--count=10000]
//                                 [--duration=10] [--gc-seconds=5] [--out=FILE]
// Needs dist/ (npm run build) and, for redis/replicas, redis-server on PATH. Every process
// it starts is stopped by PID at the end, on failure and on Ctrl-C.
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, freePort, httpOk, killAllNow, rssMB, startNode, startRedis, stopAll, stopChild, waitUntil } from './procs.mjs';
import { BASE_HEADERS, callBody, checkEcho, isEchoResult, openSession } from './mcp.mjs';
import { gcProbeArgs, gcProbeEnv, gcProbeFile, idleRss, idleSessionCost, readGcStats, sessionBenchEnv } from './memory.mjs';
import { replicaRestartRun } from './replicas.mjs';
import { platformEnv } from './targets.mjs';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'memory,redis,gc,replicas' },
    count: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    'gc-seconds': { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const only = new Set(args.only.split(','));
const count = Number(args.count);

const started = Date.now();
const log = (message) => process.stderr.write(`[try-memory ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

/** Starts dist/main.js with the GC probe (forced GCs allowed when `forceGc`); resolves when /health/ready answers 200. */
async function startPlatform(name, extra, { gc = true, forceGc = false } = {}) {
  const port = await freePort();
  const gcFile = gc ? gcProbeFile(`${name}-${port}`) : undefined;
  const env = platformEnv(port, { ...extra, ...(gcFile && gcProbeEnv(gcFile, { forceGc })) });
  const proc = startNode(name, join(ROOT, 'dist', 'main.js'), env, gc ? gcProbeArgs() : []);
  const t0 = Date.now();
  await waitUntil(proc, () => httpOk(`http://127.0.0.1:${port}/health/ready`), { what: 'ready (/health/ready)' });
  log(`${name}: pid ${proc.pid} port ${port} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { proc, port, url: `http://127.0.0.1:${port}/mcp`, gcFile, readySeconds: (Date.now() - t0) / 1000 };
}

/** A short load of tools/call echo (in one session when stateful); GC pauses read from the probe. */
async function gcUnderLoad(server, seconds, { stateful }) {
  const session = stateful ? await openSession(server.url) : {};
  await checkEcho(server.url, session);
  await readGcStats(server.proc, server.gcFile); // resets the window: start-up GCs out
  let id = 0;
  const result = await new Promise((resolve, reject) =>
    autocannon(
      {
        url: server.url,
        connections: 50,
        duration: seconds,
        headers: { ...BASE_HEADERS, ...session },
        requests: [{ method: 'POST', path: '/mcp', setupRequest: (request) => ({ ...request, body: callBody(++id) }) }],
        verifyBody: isEchoResult,
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    ),
  );
  const gc = await readGcStats(server.proc, server.gcFile);
  return {
    reqPerSec: result.requests.total / result.duration,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.mismatches,
    rssMB: rssMB(server.proc.pid),
    gc,
  };
}

async function main() {
  const results = { date: new Date().toISOString(), count };
  const sessionEnv = sessionBenchEnv();
  log(`session env: ${JSON.stringify(sessionEnv)}`);

  if (only.has('memory')) {
    const server = await startPlatform('stateful-memory', { MCP_SESSION_MODE: 'stateful', ...sessionEnv }, { forceGc: true });
    results.idleRssMB = await idleRss(server.proc);
    log(`idle RSS ${results.idleRssMB.toFixed(1)} MB`);
    results.memory = await idleSessionCost({ url: server.url, proc: server.proc, count, gcFile: server.gcFile });
    log(`memory store: ${JSON.stringify(results.memory)}`);
    await stopChild(server.proc);
  }

  let redis;
  if (only.has('redis') || only.has('replicas') || only.has('gc')) {
    redis = await startRedis();
    log(`redis-server pid ${redis.info.pid} port ${redis.port}`);
  }

  if (only.has('redis')) {
    const server = await startPlatform('stateful-redis', { MCP_SESSION_MODE: 'stateful', REDIS_URL: redis.url, ...sessionEnv }, { forceGc: true });
    results.idleRssRedisMB = await idleRss(server.proc);
    results.redis = await idleSessionCost({ url: server.url, proc: server.proc, count, redisPort: redis.port, gcFile: server.gcFile });
    log(`redis store: ${JSON.stringify({ ...results.redis, redisKeys: undefined })}`);
    log(`redis keys: ${JSON.stringify(results.redis.redisKeys, null, 1)}`);
    await stopChild(server.proc);
  }

  if (only.has('gc')) {
    const seconds = Number(args['gc-seconds']);
    results.gc = {};
    for (const [name, env] of [
      ['stateless-sse', { MCP_SESSION_MODE: 'stateless' }],
      ['stateful-redis', { MCP_SESSION_MODE: 'stateful', REDIS_URL: redis.url }],
    ]) {
      const server = await startPlatform(`gc-${name}`, env);
      results.gc[name] = await gcUnderLoad(server, seconds, { stateful: env.MCP_SESSION_MODE === 'stateful' });
      const g = results.gc[name];
      log(
        `gc ${name}: ${Math.round(g.reqPerSec)} req/s, p99 ${g.p99} ms; GC ${g.gc.count} pauses p50 ${g.gc.p50} p99 ${g.gc.p99} max ${g.gc.max} ms, ${g.gc.gcMsPerSec} ms/s`,
      );
      await stopChild(server.proc);
    }
  }

  if (only.has('replicas')) {
    // The default startReplica run.mjs would pass: stateful, sessions in Redis, one NODE_ID per port.
    const startReplica = async (port) => {
      const env = platformEnv(port, { MCP_SESSION_MODE: 'stateful', REDIS_URL: redis.url, NODE_ID: `bench-${port}`, ...sessionEnv });
      const proc = startNode(`replica-${port}`, join(ROOT, 'dist', 'main.js'), env);
      await waitUntil(proc, () => httpOk(`http://127.0.0.1:${port}/health/ready`), { what: 'ready (/health/ready)' });
      return { proc, url: `http://127.0.0.1:${port}/mcp` };
    };
    results.replicas = await replicaRestartRun({ startReplica, redisUrl: redis.url, durationSeconds: Number(args.duration), connections: 50, log });
    log(`replicas: ${JSON.stringify(results.replicas)}`);
  }

  results.totalSeconds = (Date.now() - started) / 1000;
  const text = `${JSON.stringify(results, null, 2)}\n`;
  if (args.out) writeFileSync(args.out, text);
  process.stdout.write(text);
}

let stopping = null;
const shutdown = () => (stopping ??= stopAll());
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => shutdown().finally(() => process.exit(130)));

main()
  .then(() => shutdown())
  .then(
    () => process.exit(0),
    async (error) => {
      process.stderr.write(`[try-memory] failed: ${error.stack ?? error}\n`);
      await shutdown();
      process.exit(1);
    },
  );
