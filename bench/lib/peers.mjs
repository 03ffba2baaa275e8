// The peer servers with their own dependency tree (bench/peers: @rekog/mcp-nest and the
// Nest/SDK/zod versions it is pinned to). ensurePeers() installs that tree with `npm ci` when
// it is missing or stale, using the npm of the Node running the bench. It never throws: a
// failure comes back as { ok: false, reason } and the bench shows the peer's row as failed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const PEERS_DIR = join(ROOT, 'bench', 'peers');
const LOCKFILE = join(PEERS_DIR, 'package-lock.json');
const REKOG_DIR = join(PEERS_DIR, 'node_modules', '@rekog', 'mcp-nest');
/** Written by npm at the end of every install into node_modules: when the tree was last installed. */
const INSTALL_STAMP = join(PEERS_DIR, 'node_modules', '.package-lock.json');
const INSTALL_TIMEOUT_MS = 10 * 60 * 1000;

const mtime = (path) => statSync(path).mtimeMs;

/** Why bench/peers/node_modules needs (re)installing, or null when it is current. */
function staleReason() {
  if (!existsSync(join(REKOG_DIR, 'package.json'))) return 'bench/peers/node_modules/@rekog/mcp-nest is missing';
  const installed = existsSync(INSTALL_STAMP) ? mtime(INSTALL_STAMP) : mtime(REKOG_DIR);
  if (installed < mtime(LOCKFILE)) return 'bench/peers/node_modules is older than bench/peers/package-lock.json';
  const locked = JSON.parse(readFileSync(LOCKFILE, 'utf8')).packages?.['node_modules/@rekog/mcp-nest']?.version;
  const version = JSON.parse(readFileSync(join(REKOG_DIR, 'package.json'), 'utf8')).version;
  if (locked && version !== locked) return `@rekog/mcp-nest ${version} installed, ${locked} locked`;
  return null;
}

/** npm-cli.js of the Node running this: next to process.execPath, else the npm that ran us, else the one on PATH. */
function npmCli() {
  const bin = dirname(process.execPath);
  const candidates = [
    join(bin, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    join(bin, 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    process.env.npm_execpath,
  ];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir) candidates.push(join(dir, 'npm'));
  }
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    try {
      const real = realpathSync(candidate);
      if (/\.c?js$/.test(real)) return real;
    } catch {
      // Not resolvable; try the next one.
    }
  }
  return undefined;
}

function run(command, args, log) {
  return new Promise((resolve) => {
    const tail = [];
    const keep = (chunk) => {
      for (const line of String(chunk).split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    log(`bench/peers: ${[command, ...args].join(' ')}`);
    let child;
    try {
      child = spawn(command, args, {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: process.platform === 'win32' && command === 'npm',
      });
    } catch (error) {
      resolve({ ok: false, reason: `cannot start npm: ${error.message}` });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGTERM'), INSTALL_TIMEOUT_MS);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `cannot start npm: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, reason: `npm ci exited with ${signal ?? code}: ${tail.slice(-5).join(' | ') || 'no output'}` });
    });
  });
}

/**
 * Makes sure bench/peers/node_modules is installed from bench/peers/package-lock.json.
 * @param {(message: string) => void} [log]
 * @returns {Promise<{ ok: true } | { ok: false, reason: string }>}
 */
export async function ensurePeers(log = () => {}) {
  try {
    if (!existsSync(LOCKFILE)) return { ok: false, reason: 'bench/peers/package-lock.json is missing' };
    const reason = staleReason();
    if (reason === null) return { ok: true };
    log(`bench/peers: ${reason}; installing with npm ci`);
    const args = ['ci', '--prefix', 'bench/peers', '--no-audit', '--no-fund'];
    const cli = npmCli();
    const result = cli ? await run(process.execPath, [cli, ...args], log) : await run('npm', args, log);
    if (!result.ok) return result;
    const after = staleReason();
    if (after !== null) return { ok: false, reason: `after npm ci: ${after}` };
    log('bench/peers: installed');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `bench/peers: ${error?.message ?? String(error)}` };
  }
}
