// The bench's report: the goals of the performance issue evaluated on one run, and the
// tables printed (rows, memory, replicas, goals met or missed).
import { ADAPTERS } from './targets.mjs';

const fmtInt = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const fmtPct = (r) => (r === null || r === undefined || Number.isNaN(r) ? '—' : `${(r * 100).toFixed(0)} %`);
const fmtMB = (n) => (n === null || n === undefined ? '—' : n.toFixed(0));
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

const clean = (t) => Boolean(t?.summary) && !t.failed && t.summary.non2xx + t.summary.errors + t.summary.mismatches === 0;

/** Mean over rounds of (a / b) for passes run in the same round: the paired ratio. */
function pairedRatio(a, b, field = 'reqPerSec') {
  const ratios = [];
  for (let i = 0; i < Math.min(a.passes.length, b.passes.length); i++) ratios.push(a.passes[i][field] / b.passes[i][field]);
  return ratios.length ? mean(ratios) : null;
}

/**
 * Every goal of the issue, met (true), missed (false) or not measured (null), with the figure
 * it was judged on. Ratios are of mean req/s; the paired ratio (per round) is in the note.
 */
export function evaluateGoals(byKey, servers, sections) {
  const goals = [];
  const add = (goal, { value = null, shown, met = null, note = '' }) => goals.push({ goal, value, shown, met, note });
  const ratioGoal = (goal, a, b, threshold, format = fmtPct) => {
    if (!a?.summary || !b?.summary) return add(goal, { shown: 'not measured' });
    const r = a.summary.reqPerSec / b.summary.reqPerSec;
    const notes = [`${fmtInt(a.summary.reqPerSec)} vs ${fmtInt(b.summary.reqPerSec)} req/s`, `paired ${format(pairedRatio(a, b))}`];
    if (!clean(a) || !clean(b)) notes.push('a row had errors');
    add(goal, { value: r, shown: format(r), met: r >= threshold, note: notes.join('; ') });
  };
  const times = (r) => (r === null ? '—' : `${r.toFixed(2)}×`);

  const raw = byKey.raw;
  ratioGoal('Fastify stateless tools/call ≥ 35 % of raw node:http', byKey['fastify-stateless-2025'], raw, 0.35);
  ratioGoal('Express stateless tools/call ≥ 35 % of raw node:http (for reference: the goal names Fastify)', byKey['express-stateless-2025'], raw, 0.35);
  const fastify = byKey['fastify-stateless-2025'];
  if (fastify?.summary) {
    add('Fastify stateless tools/call p99 ≤ 5 ms at 50 connections', {
      value: fastify.summary.p99,
      shown: `${fmtMs(fastify.summary.p99)} ms`,
      met: fastify.summary.p99 <= 5,
      note: `p50 ${fmtMs(fastify.summary.p50)} ms`,
    });
  } else add('Fastify stateless tools/call p99 ≤ 5 ms at 50 connections', { shown: 'not measured' });

  const peers = ['sdk-stateless', 'sdk-stateful', 'sdk-v2', 'rekog'].map((key) => byKey[key]).filter((t) => t?.summary);
  const best = peers.sort((a, b) => b.summary.reqPerSec - a.summary.reqPerSec)[0];
  ratioGoal(`Express stateless tools/call ≥ 1.5× the best peer (${best ? best.key : 'none measured'})`, byKey['express-stateless-2025'], best, 1.5, times);

  for (const adapter of Object.keys(ADAPTERS)) {
    ratioGoal(
      `${ADAPTERS[adapter]}: Redis-backed stateful ≥ 85 % of stateless (2025-11-25)`,
      byKey[`${adapter}-redis-2025`],
      byKey[`${adapter}-stateless-2025`],
      0.85,
    );
  }
  for (const adapter of Object.keys(ADAPTERS)) {
    const churn = byKey[`churn-${adapter}`];
    const goal = `${ADAPTERS[adapter]}: session create+call+delete ≥ 2,000/s with Redis`;
    if (!churn?.summary) add(goal, { shown: 'not measured' });
    else {
      const v = churn.summary.sessionsPerSec;
      add(goal, { value: v, shown: `${fmtInt(v)} sessions/s`, met: v >= 2000, note: clean(churn) ? '' : 'the row had errors' });
    }
  }
  for (const adapter of Object.keys(ADAPTERS)) {
    ratioGoal(
      `${ADAPTERS[adapter]}: 2026-07-28 stateless within 10 % of 2025-11-25 stateless`,
      byKey[`${adapter}-stateless-2026`],
      byKey[`${adapter}-stateless-2025`],
      0.9,
    );
  }
  for (const adapter of Object.keys(ADAPTERS)) {
    const server = servers[`${adapter}-stateless`];
    const goal = `${ADAPTERS[adapter]}: idle RSS after start ≤ 120 MB`;
    if (!server?.idleRssMB) add(goal, { shown: 'not measured' });
    else add(goal, { value: server.idleRssMB, shown: `${server.idleRssMB.toFixed(0)} MB`, met: server.idleRssMB <= 120 });
  }
  const sessions = Object.fromEntries((sections.sessions ?? []).map((s) => [s.store, s]));
  const memory = sessions.memory;
  if (memory && !memory.failed) {
    // RSS can fall during the measurement (V8 returning pages of the warm-up's garbage): then
    // the figure is the V8 heap the sessions keep, the larger of the two otherwise.
    const heap = memory.retainedHeapPerSessionBytes;
    const value = heap === undefined ? memory.rssPerSessionBytes : Math.max(memory.rssPerSessionBytes, heap);
    add('≤ 2 KB of RSS per idle in-memory session', {
      value,
      shown: `${fmtInt(value)} B`,
      met: value <= 2048,
      note:
        `${fmtInt(memory.sessions)} sessions: RSS ${fmtMB(memory.rssBeforeMB)} → ${fmtMB(memory.rssAfterMB)} MB after full GCs (${fmtInt(memory.rssPerSessionBytes)} B/session)` +
        (heap === undefined ? '' : `, V8 heap kept ${fmtInt(heap)} B/session`),
    });
  } else add('≤ 2 KB of RSS per idle in-memory session', { shown: memory?.failed ? `failed: ${memory.failed}` : 'not measured' });
  const redis = sessions.redis;
  if (redis && !redis.failed && redis.redisPerSessionBytes !== undefined) {
    add('≤ 1 KB of Redis per idle session', {
      value: redis.redisPerSessionBytes,
      shown: `${fmtInt(redis.redisPerSessionBytes)} B`,
      met: redis.redisPerSessionBytes <= 1024,
      note: `used_memory, ${fmtInt(redis.sessions)} sessions; ${redis.keysPerSession?.toFixed(1)} keys/session`,
    });
  } else add('≤ 1 KB of Redis per idle session', { shown: redis?.failed ? `failed: ${redis.failed}` : 'not measured' });
  const growth = sections.growth;
  if (growth && !growth.failed) {
    add(`RSS growth < 20 MB over ${fmtInt(growth.requests)} requests`, {
      value: growth.growthMB,
      shown: `${growth.growthMB.toFixed(1)} MB`,
      met: growth.growthMB < 20,
      note: `Express stateless; RSS after warm-up and each eighth: ${growth.readingsMB.map((r) => r.toFixed(0)).join(' → ')} MB${growth.errors ? `; ${growth.errors} errors` : ''}`,
    });
  } else add('RSS growth < 20 MB over 200,000 requests', { shown: growth?.failed ? `failed: ${growth.failed}` : 'not measured' });
  return goals;
}

function errorCell(target) {
  if (target.failed && !target.summary) return `FAILED: ${target.failed.split('\n')[0].slice(0, 90)}`;
  const s = target.summary;
  const parts = [];
  if (target.failed) parts.push(`FAILED later: ${target.failed.split('\n')[0].slice(0, 60)}`);
  if (s.non2xx) parts.push(`${fmtInt(s.non2xx)} non-2xx`);
  if (s.errors) parts.push(`${fmtInt(s.errors)} errors${s.timeouts ? ` (${fmtInt(s.timeouts)} timeouts)` : ''}`);
  if (s.mismatches) parts.push(`${fmtInt(s.mismatches)} bad bodies`);
  if (s.churnFailures) {
    const f = s.churnFailures;
    if (f.initialize + f.call + f.delete) parts.push(`failed steps: ${f.initialize} init, ${f.call} call, ${f.delete} DELETE`);
  }
  return parts.length ? parts.join(', ') : '0';
}

const GROUPS = {
  baseline: 'Baselines',
  peer: 'Peers (the same echo tool)',
  platform: 'Platform: tools/call of echo',
  sessions: 'Sessions',
  lists: 'Lists',
};

function rowsTable(targets) {
  const raw = targets.find((t) => t.key === 'raw');
  const lines = [
    '| row | req/s | p50 ms | p99 ms | GC p99 ms | RSS idle → after MB | vs raw | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const [group, title] of Object.entries(GROUPS)) {
    const rows = targets.filter((t) => t.group === group);
    if (rows.length === 0) continue;
    lines.push(`| **${title}** | | | | | | | |`);
    for (const t of rows) {
      let label = `${t.key}: ${t.label}${t.note ? ` [${t.note}]` : ''}`;
      const s = t.summary;
      const rss = `${fmtMB(t.server?.idleRssMB)} → ${fmtMB(s?.rssAfterMB)}`;
      if (!s) {
        lines.push(`| ${label} | — | — | — | — | ${rss} | — | ${errorCell(t)} |`);
        continue;
      }
      if (t.kind === 'churn') label += ` = **${fmtInt(s.sessionsPerSec)} sessions/s**`;
      const spread = s.reqPerSec > 0 && t.passes.length > 1 ? ` ±${(((s.reqPerSecMax - s.reqPerSecMin) / 2 / s.reqPerSec) * 100).toFixed(0)}%` : '';
      const vsRaw = t === raw ? '100 %' : raw?.summary ? fmtPct(s.reqPerSec / raw.summary.reqPerSec) : '—';
      lines.push(
        `| ${label} | ${fmtInt(s.reqPerSec)}${spread} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${fmtMs(s.gcP99)} | ${rss} | ${vsRaw} | ${errorCell(t)} |`,
      );
    }
  }
  return lines.join('\n');
}

function memoryTable(servers, sections) {
  const lines = ['| measure | figure | detail |', '| --- | ---: | --- |'];
  for (const id of ['raw', 'nest-express', 'nest-fastify', 'sdk-stateless', 'rekog', 'express-stateless', 'fastify-stateless', 'express-redis']) {
    const server = servers[id];
    if (server?.idleRssMB)
      lines.push(`| idle RSS after start: ${id} | ${server.idleRssMB.toFixed(0)} MB | VmRSS, lowest of 3 readings, all servers up and quiet |`);
  }
  for (const s of sections.sessions ?? []) {
    if (s.failed) {
      lines.push(`| idle sessions, ${s.store} store | — | FAILED: ${s.failed.split('\n')[0].slice(0, 90)} |`);
      continue;
    }
    const heap = s.retainedHeapPerSessionBytes === undefined ? '' : `; V8 heap kept ${fmtInt(s.retainedHeapPerSessionBytes)} B/session`;
    const detail = `${fmtInt(s.sessions)} sessions open (${s.failed || 0} failed); RSS ${fmtMB(s.rssBeforeMB)} → ${fmtMB(s.rssAfterMB)} MB after full GCs${heap}`;
    lines.push(
      `| RSS per idle session, ${s.store} store | ${fmtInt(s.rssPerSessionBytes)} B (${((s.rssPerSessionBytes * 10000) / 2 ** 20).toFixed(1)} MB per 10,000) | ${detail} |`,
    );
    if (s.redisPerSessionBytes !== undefined) {
      lines.push(
        `| Redis used_memory per idle session | ${fmtInt(s.redisPerSessionBytes)} B (${((s.redisPerSessionBytes * 10000) / 2 ** 20).toFixed(1)} MB per 10,000) | ${s.keysPerSession?.toFixed(1)} keys per session; ${fmtMB(s.redisBefore?.usedMemory / 2 ** 20)} → ${fmtMB(s.redisAfter?.usedMemory / 2 ** 20)} MB |`,
      );
    }
  }
  const g = sections.growth;
  if (g && !g.failed)
    lines.push(
      `| RSS growth over ${fmtInt(g.requests)} requests (Express stateless) | ${g.growthMB.toFixed(1)} MB | ${g.readingsMB.map((r) => r.toFixed(0)).join(' → ')} MB |`,
    );
  else if (g?.failed) lines.push(`| RSS growth | — | FAILED: ${g.failed.slice(0, 90)} |`);
  return lines.join('\n');
}

function replicasTable(r) {
  if (!r) return 'not measured';
  if (r.failed) return `FAILED: ${r.failed.split('\n')[0]}`;
  const lines = [
    '| phase | req/s (both) | p99 ms (worst replica) | errors | non-2xx | bad bodies |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| steady | ${fmtInt(r.steady.aggregateReqPerSec)} | ${fmtMs(r.steady.p99)} | ${fmtInt(r.steady.errors)} | ${fmtInt(r.steady.non2xx)} | ${fmtInt(r.steady.mismatches)} |`,
    `| replica B restarted | ${fmtInt(r.aggregateReqPerSec)} | ${fmtMs(r.p99)} | ${fmtInt(r.errors)} | ${fmtInt(r.non2xx)} | ${fmtInt(r.mismatches)} |`,
  ];
  lines.push(
    '',
    `Restart of B: drained and exited in ${r.drainSeconds?.toFixed(1)} s, ready again ${r.startSeconds?.toFixed(1)} s later; ` +
      `${fmtInt(r.answeredDuringRestart?.total)} calls answered meanwhile (A ${fmtInt(r.answeredDuringRestart?.a)}, B ${fmtInt(r.answeredDuringRestart?.b)}). ` +
      `${fmtInt(r.sessions)} sessions opened on A, used on both. Errors are autocannon's connection attempts while B's port was closed.`,
  );
  return lines.join('\n');
}

export function formatReport({ meta, targets, servers, sections, goals }) {
  const out = [
    `MCP platform bench — ${meta.date} — servers on Node ${meta.node} (${meta.nodeSource}; autocannon on ${meta.loadNode}), ` +
      `${meta.cpus} CPUs (${meta.cpuModel}), ${fmtInt(meta.totalMemMB)} MB, load average ${meta.loadavg.before[0].toFixed(1)} before / ${meta.loadavg.after[0].toFixed(1)} after` +
      (meta.git ? `, git ${meta.git.head}${meta.git.srcDirty ? ' (src modified)' : ''}` : ''),
    `autocannon: ${meta.settings.connections} connections, pipelining 1, ${meta.settings.passes} interleaved passes × ${meta.settings.durationSeconds} s per row after ${meta.settings.warmupSeconds} s warm-up; ` +
      `platform on \`node ${[...meta.platformNodeArgs, 'dist/main.js'].join(' ')}\` (the image's CMD); ` +
      'req/s = mean of passes (± half the spread), p50/p99 = mean of passes, GC p99 = the server’s GC pauses during the passes, RSS = server VmRSS idle after start and after its last pass (rows on one server share it)',
  ];
  if (!meta.build.ok) out.push(`WARNING: ${meta.build.note}`);
  out.push(
    '',
    rowsTable(targets),
    '',
    'Memory',
    '',
    memoryTable(servers, sections),
    '',
    'Two replicas on one Redis, stateful, Express',
    '',
    replicasTable(sections.replicas),
    '',
  );
  const met = goals.filter((g) => g.met === true).length;
  const measured = goals.filter((g) => g.met !== null).length;
  out.push(`Goals: ${met} of ${measured} measured met (not asserted)`);
  for (const g of goals) out.push(`  ${g.met === null ? '   -  ' : g.met ? '  met ' : 'missed'}  ${g.goal}: ${g.shown}${g.note ? ` (${g.note})` : ''}`);
  for (const t of targets) if (t.summary && !clean(t)) out.push(`  ! ${t.key} had errors: its numbers are not comparable`);
  return out.join('\n');
}
