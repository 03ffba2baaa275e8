// Two stateful replicas on one Redis under load, one of them restarted mid-run: what a
// rolling deploy costs clients that are pinned to the replica going away.
import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, stopChild } from './procs.mjs';
import { BASE_HEADERS, PROTOCOL_VERSION, callBody, checkEcho, isEchoResult, openSession } from './mcp.mjs';

let sequence = 1_000_000_000; // JSON-RPC ids, apart from run.mjs's

/**
 * One autocannon instance of tools/call echo, every body checked, each request on the next
 * of `sessions` in turn (autocannon's per-connection context is reset after every request
 * when there is one request in the list, so sessions rotate per request, not per connection).
 */
function startLoad(url, sessions, { connections, duration }) {
  let turn = 0;
  const dropped = { count: 0 };
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    duration,
    setupClient: (client) => cleanReconnects(client, dropped),
    headers: BASE_HEADERS,
    requests: [
      {
        method: 'POST',
        path: '/mcp',
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, ...sessions[turn++ % sessions.length] },
          body: callBody(++sequence),
        }),
      },
    ],
    verifyBody: isEchoResult,
  });
  const done = new Promise((resolve, reject) => {
    instance.once('done', resolve);
    instance.once('error', reject);
  });
  return { instance, done, dropped };
}

/**
 * autocannon 9 reconnects (after a connection error, or when the server closes the
 * connection) without emptying its queue of requests sent on the old connection, and each
 * refused attempt queues one more. Once the server is back, every response then "answers"
 * the oldest stale entry, so latencies of seconds (the downtime) are recorded for a while:
 * B's p99 came out at 5.9 s in a first run for that reason alone. Requests sent on a
 * connection that is gone will never be answered, so each reconnect drops them here
 * (counted in `dropped`). This patches one client instance (autocannon's private
 * `_connect` and `pipelinedRequests`); when they are not there it does nothing.
 */
function cleanReconnects(client, dropped) {
  const connect = client._connect;
  if (typeof connect !== 'function' || typeof client.pipelinedRequests?.clear !== 'function') return;
  let first = true;
  client._connect = function reconnect() {
    if (!first) {
      dropped.count += this.pipelinedRequests.size();
      this.pipelinedRequests.clear();
    }
    first = false;
    return connect.call(this);
  };
}

/** Both replicas loaded at once for `duration` s; `during(loads)` runs alongside (the restart). */
async function loadBoth(replicas, sessions, { connections, duration, during }) {
  const half = Math.max(1, Math.floor(connections / 2));
  const started = Date.now();
  // Answers and errors per second and replica: where the dip is, and how deep.
  const timeline = [];
  const slot = () => (timeline[Math.floor((Date.now() - started) / 1000)] ??= { a: 0, b: 0, errors: 0 });
  const counters = { a: { ok: 0, errors: 0, windows: [] }, b: { ok: 0, errors: 0, windows: [] } };
  const loads = {};
  for (const name of ['a', 'b']) {
    const load = startLoad(replicas[name].url, sessions, { connections: half, duration });
    load.instance.on('response', (_client, statusCode) => {
      if (statusCode >= 200 && statusCode < 300) {
        counters[name].ok++;
        slot()[name]++;
      }
    });
    load.instance.on('reqError', () => {
      counters[name].errors++;
      slot().errors++;
    });
    loads[name] = load;
  }
  // Settled at once so a failed restart is not an unhandled rejection while the load runs.
  const side = (during ? during(counters) : Promise.resolve()).then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
  const [a, b] = await Promise.all([loads.a.done, loads.b.done]);
  const sideOutcome = await side;
  if (sideOutcome.error) throw sideOutcome.error;
  const sideResult = sideOutcome.value;
  const seconds = (Date.now() - started) / 1000;
  const byReplica = { a, b };
  const sum = (field) => a[field] + b[field];
  const dropped = { a: loads.a.dropped.count, b: loads.b.dropped.count };
  return {
    seconds,
    aggregateReqPerSec: (a.requests.total + b.requests.total) / a.duration,
    p99: Math.max(a.latency.p99, b.latency.p99),
    p99ByReplica: { a: a.latency.p99, b: b.latency.p99 },
    p50ByReplica: { a: a.latency.p50, b: b.latency.p50 },
    reqPerSecByReplica: { a: a.requests.total / a.duration, b: b.requests.total / b.duration },
    requests: a.requests.total + b.requests.total,
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    non2xx: sum('non2xx'),
    mismatches: sum('mismatches'),
    // Requests outstanding when a connection failed or was closed (refused attempts included).
    droppedAtReconnect: dropped,
    statusCodes: Object.fromEntries(Object.entries(byReplica).map(([k, r]) => [k, r.statusCodeStats])),
    timeline: timeline.map((s) => s ?? { a: 0, b: 0, errors: 0 }),
    side: sideResult,
  };
}

/**
 * Two stateful replicas on one Redis; sessions opened on A; both loaded at once with
 * tools/call echo in those sessions (so B serves sessions it did not open), first a steady
 * phase, then the same with replica B restarted at `restartAtFraction` of the run: SIGTERM
 * (the platform drains: readiness 503, in-flight requests finish, within
 * MCP_SHUTDOWN_GRACE_SECONDS), wait for exit, start it again on the same port, wait ready.
 * autocannon reconnects by itself (immediately and in a loop while the port is closed, so
 * `errors` counts connection attempts, not lost requests; see cleanReconnects for the fix
 * that keeps its latencies honest across reconnects).
 *
 * @param {object} o
 * @param {(port:number) => Promise<{proc:object, url:string}>} o.startReplica  starts one
 *   platform process (stateful, this Redis) on `port` and resolves when /health/ready answers
 * @param {string} [o.redisUrl]  for the record only: startReplica decides where it connects
 * @param {number} [o.durationSeconds=10]  of each phase
 * @param {number} [o.connections=50]  in all, half per replica
 * @param {number} [o.sessions]  sessions opened on A (default connections/2), used in turn
 * @param {number} [o.warmupSeconds=1]
 * @param {number} [o.restartAtFraction=1/3]
 * @param {number} [o.stopGraceMs=30000]  SIGKILL after this when B does not exit
 * @param {boolean} [o.keep=false]  leave the replicas running (returned); else stopped by PID
 * @param {(message:string)=>void} [o.log]
 * @returns {Promise<{aggregateReqPerSec:number, p99:number, p99ByReplica:{a:number,b:number}, requests:number, errors:number, timeouts:number, non2xx:number, mismatches:number, droppedAtReconnect:{a:number,b:number}, restartSeconds:number, drainSeconds:number, startSeconds:number, answeredDuringRestart:{a:number,b:number,total:number}, answeredDuringDrain:{a:number,b:number}, restartDoneDuringLoad:boolean, timeline:Array<{a:number,b:number,errors:number}>, steady:{aggregateReqPerSec:number, p99:number, p99ByReplica:object, errors:number, non2xx:number, mismatches:number}, redisUrl?:string, replicas?:object}>}
 */
export async function replicaRestartRun({
  startReplica,
  redisUrl,
  durationSeconds = 10,
  connections = 50,
  sessions: sessionCount,
  warmupSeconds = 1,
  restartAtFraction = 1 / 3,
  stopGraceMs = 30000,
  keep = false,
  log = () => {},
}) {
  const [portA, portB] = [await freePort(), await freePort()];
  const replicas = {};
  [replicas.a, replicas.b] = await Promise.all([startReplica(portA), startReplica(portB)]);
  log(`replicas: A pid ${replicas.a.proc.pid} port ${portA}, B pid ${replicas.b.proc.pid} port ${portB}`);
  try {
    const count = sessionCount ?? Math.max(1, Math.floor(connections / 2));
    const sessions = [];
    for (let i = 0; i < count; i++) sessions.push(await openSession(replicas.a.url));
    // A session opened on A must be servable by B (sessions in Redis): check each before loading.
    for (const session of sessions) {
      await checkEcho(replicas.b.url, session).catch((error) => {
        throw new Error(`replica B does not serve a session opened on A (${session['mcp-session-id']}): ${error.message}`);
      });
    }
    log(`${count} sessions opened on A, each answered by B`);

    if (warmupSeconds > 0) await loadBoth(replicas, sessions, { connections, duration: warmupSeconds });

    const steadyRun = await loadBoth(replicas, sessions, { connections, duration: durationSeconds });
    const steady = {
      aggregateReqPerSec: steadyRun.aggregateReqPerSec,
      p99: steadyRun.p99,
      p99ByReplica: steadyRun.p99ByReplica,
      reqPerSecByReplica: steadyRun.reqPerSecByReplica,
      requests: steadyRun.requests,
      errors: steadyRun.errors,
      non2xx: steadyRun.non2xx,
      mismatches: steadyRun.mismatches,
    };
    log(`steady: ${Math.round(steady.aggregateReqPerSec)} req/s, p99 ${steady.p99} ms`);

    const restart = async (counters) => {
      await sleep(durationSeconds * restartAtFraction * 1000);
      const snapshot = () => ({ a: counters.a.ok, b: counters.b.ok });
      const atTerm = snapshot();
      const t0 = Date.now();
      log(`SIGTERM to replica B (pid ${replicas.b.proc.pid})`);
      await stopChild(replicas.b.proc, stopGraceMs);
      const exited = Date.now();
      const atExit = snapshot();
      const exit = replicas.b.proc.exited;
      replicas.b = await startReplica(portB);
      const ready = Date.now();
      const atReady = snapshot();
      log(
        `replica B: drained and exited in ${((exited - t0) / 1000).toFixed(2)} s (${exit?.signal ?? `code ${exit?.code}`}), ready again after ${((ready - t0) / 1000).toFixed(2)} s (pid ${replicas.b.proc.pid})`,
      );
      return {
        drainSeconds: (exited - t0) / 1000,
        startSeconds: (ready - exited) / 1000,
        restartSeconds: (ready - t0) / 1000,
        exit,
        answeredDuringDrain: { a: atExit.a - atTerm.a, b: atExit.b - atTerm.b },
        answeredDuringRestart: { a: atReady.a - atTerm.a, b: atReady.b - atTerm.b, total: atReady.a - atTerm.a + atReady.b - atTerm.b },
        readyAtSecond: (ready - t0) / 1000 + durationSeconds * restartAtFraction,
      };
    };
    const run = await loadBoth(replicas, sessions, { connections, duration: durationSeconds, during: restart });
    const r = run.side;
    // B's sessions after the restart: still in Redis, still served.
    await checkEcho(replicas.b.url, sessions[0]);
    return {
      aggregateReqPerSec: run.aggregateReqPerSec,
      p99: run.p99,
      p99ByReplica: run.p99ByReplica,
      reqPerSecByReplica: run.reqPerSecByReplica,
      requests: run.requests,
      errors: run.errors,
      timeouts: run.timeouts,
      non2xx: run.non2xx,
      mismatches: run.mismatches,
      droppedAtReconnect: run.droppedAtReconnect,
      statusCodes: run.statusCodes,
      restartSeconds: r.restartSeconds,
      drainSeconds: r.drainSeconds,
      startSeconds: r.startSeconds,
      bExit: r.exit,
      answeredDuringRestart: r.answeredDuringRestart,
      answeredDuringDrain: r.answeredDuringDrain,
      restartDoneDuringLoad: r.readyAtSecond <= run.seconds,
      timeline: run.timeline,
      steady,
      sessions: count,
      protocolVersion: PROTOCOL_VERSION,
      ...(redisUrl && { redisUrl }),
      ...(keep && { replicas }),
    };
  } finally {
    if (!keep) await Promise.all(Object.values(replicas).map((r) => stopChild(r.proc, stopGraceMs)));
  }
}
