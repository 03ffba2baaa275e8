// Child processes of a bench run: the servers under test and redis-server. Every child is
// tracked and stopped by its PID — at the end, on errors, on SIGINT/SIGTERM and at exit.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

const children = new Set();

/** Environment for a server: the caller's, minus anything that would change the platform under test. */
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MCP_|REDIS_|HTTP_ADAPTER$|PORT$|HOST$|NODE_ID$|LOG_LEVEL$|LOG_FORMAT$|NODE_OPTIONS$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Starts a tracked child; keeps the tail of its output for error messages. */
export function startChild(name, command, args, { env = {}, raw = false } = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: raw ? { ...process.env, ...env } : cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const info = { name, child, pid: child.pid, tail, exited: null };
  child.on('exit', (code, signal) => {
    info.exited = { code, signal };
    children.delete(info);
  });
  child.on('error', (error) => {
    info.exited = { code: null, signal: null, error: error.message };
    children.delete(info);
  });
  children.add(info);
  return info;
}

/** The Node.js binary servers run on: this one unless `useNode()` chose another. */
let nodeBinary = process.execPath;

export function useNode(path) {
  nodeBinary = path;
}

/** `vX.Y.Z` of the binary servers run on. */
export function serverNodeVersion() {
  return nodeBinary === process.execPath ? process.version : execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
}

export function startNode(name, script, env, nodeArgs = []) {
  return startChild(name, nodeBinary, [...nodeArgs, script], { env });
}

export function describeExit(info) {
  const how = info.exited?.error ?? `code ${info.exited?.code} signal ${info.exited?.signal}`;
  return `${info.name} (pid ${info.pid}) exited: ${how}${info.tail.length ? `\n    ${info.tail.slice(-8).join('\n    ')}` : ''}`;
}

/** Stops one child by PID: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(info, graceMs = 4000) {
  if (info.exited) return;
  const exited = new Promise((resolve) => info.child.once('exit', resolve));
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      if (!info.exited) process.kill(info.pid, 'SIGKILL');
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...children].map((info) => stopChild(info)));
}

/** Last resort (process 'exit' handler: synchronous): SIGKILL whatever is left, by PID. */
export function killAllNow() {
  for (const info of children) {
    try {
      process.kill(info.pid, 'SIGKILL');
    } catch {}
  }
  children.clear();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (VmRSS from /proc), or null when unavailable. */
export function rssMB(pid) {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Polls until `probe()` resolves true; fails early when the child exits. */
export async function waitUntil(info, probe, { timeoutMs = 45000, what = 'ready' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (info.exited) throw new Error(describeExit(info));
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(
    `${info.name} not ${what} after ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}\n    ${info.tail.slice(-8).join('\n    ')}`,
  );
}

export async function httpOk(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.status === 200;
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\r\n')) {
        socket.end();
        resolve(data.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

export function redisAvailable() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Own redis-server on a free port, no persistence; stopped by PID with the rest. */
export async function startRedis() {
  const port = await freePort();
  const info = startChild('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    raw: true,
  });
  await waitUntil(info, () => redisPing(port), { timeoutMs: 10000 });
  return { info, port, url: `redis://127.0.0.1:${port}` };
}

/** Newest modification time under a directory (files and directories, so deletions count), in ms. */
function newestMtime(dir) {
  let newest = 0;
  const walk = (path) => {
    const stat = statSync(path);
    if (stat.mtimeMs > newest) newest = stat.mtimeMs;
    if (stat.isDirectory()) for (const entry of readdirSyncSafe(path)) walk(join(path, entry));
  };
  walk(dir);
  return newest;
}

function readdirSyncSafe(path) {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** True when dist/ was built after the last change to src/ and the tsconfig files. */
function distIsFresh() {
  const info = join(ROOT, 'dist', '.tsbuildinfo');
  if (!existsSync(info) || !existsSync(join(ROOT, 'dist', 'main.js'))) return false;
  const inputs = Math.max(
    newestMtime(join(ROOT, 'src')),
    statSync(join(ROOT, 'tsconfig.json')).mtimeMs,
    statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs,
  );
  return statSync(info).mtimeMs > inputs;
}

/**
 * Compiles src/ to dist/ unless dist/ is newer than every file of src/ (tsc, incremental:
 * a few seconds when little changed). When the
 * build fails — others may be mid-edit — and a dist/ exists, the run goes on with it and
 * says so loudly; without a dist/ it stops.
 */
export function buildDist({ skip = false } = {}) {
  const main = join(ROOT, 'dist', 'main.js');
  if (skip) {
    if (!existsSync(main)) throw new Error('--skip-build given but dist/main.js is missing: run npm run build');
    return { built: false, ok: true, note: 'build skipped (--skip-build)' };
  }
  if (distIsFresh()) return { built: false, ok: true, note: 'dist/ is newer than src/: no build needed' };
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) return { built: true, ok: true, note: `tsc -p tsconfig.build.json: ok in ${seconds} s` };
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(0, 12).join('\n    ');
  if (!existsSync(main)) throw new Error(`build failed and there is no dist/:\n    ${output}`);
  const stale = newestMtime(join(ROOT, 'src')) > statSync(main).mtimeMs;
  return {
    built: false,
    ok: false,
    note: `BUILD FAILED (${seconds} s); measuring the existing dist/${stale ? ', which is OLDER than src/' : ''}:\n    ${output}`,
  };
}
