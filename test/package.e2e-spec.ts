import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { docBlocks } from './helpers/doc-blocks';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'weather');

/** npm as the running Node would call it (the machine's npm, whichever Node runs the tests). */
async function npm(args: string[], cwd: string, timeout = 240_000): Promise<string> {
  const { stdout, stderr } = await run('npm', args, {
    cwd,
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return stdout + stderr;
}

/**
 * "Depend, don't fork": the package as another Nest app gets it — `npm pack`, installed from
 * the tarball (offline from the npm cache where it can), then the `examples/weather`
 * project's own tests and the README's route-A code compiled against it.
 */
describe('the package, installed from its tarball', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mcp-platform-pack-'));
    // dist/ was built by the e2e global setup; prepack's clean build would race other suites.
    await npm(['pack', '--ignore-scripts', '--pack-destination', work], ROOT);
    const tarball = join(
      work,
      readdirSync(work).find((name) => name.endsWith('.tgz'))!,
    );
    app = join(work, 'weather');
    cpSync(EXAMPLE, app, { recursive: true, filter: (source) => !/[\\/](node_modules|dist)([\\/]|$)/.test(source.slice(EXAMPLE.length)) });
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app, 280_000);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exposes its public entries and nothing else', async () => {
    const probe = `
      const api = require('mcp-platform');
      const platform = require('mcp-platform/platform');
      let internal = 'reachable';
      try { require('mcp-platform/dist/mcp/discovery/mcp.registry'); } catch (error) { internal = error.code; }
      console.log(JSON.stringify({ api: Object.keys(api).sort(), platform: Object.keys(platform).sort(), internal }));`;
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: app });
    const exported = JSON.parse(stdout) as { api: string[]; platform: string[]; internal: string };
    expect(exported.api).toEqual(
      expect.arrayContaining([
        'McpModule',
        'McpTool',
        'McpResource',
        'McpPrompt',
        'SessionModule',
        'RedisModule',
        'TenantModule',
        'AuthModule',
        'MetricsModule',
        'HealthModule',
        'McpToolError',
        'SessionStore',
        'EventStore',
        'MessageBus',
        'TenantResolver',
        'CredentialVerifier',
      ]),
    );
    expect(exported.api).not.toContain('McpRegistry');
    expect(exported.api).not.toContain('McpToolGate');
    expect(exported.platform).toEqual(expect.arrayContaining(['bootstrapPlatform', 'createApp', 'AppModule', 'loadConfig']));
    expect(exported.internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('passes the examples/weather project’s own tests (its Nest app, forRootAsync under a prefix on Fastify, the platform plus its module)', async () => {
    const output = await npm(['test'], app, 240_000).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`examples/weather tests failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    // node --test exits non-zero on a failure (npm then throws above); its summary differs by
    // Node version and reporter (`# pass 8` in TAP, `ℹ pass 8` in the spec reporter).
    expect(output).toMatch(/(#|ℹ) fail 0/);
    expect(output).toMatch(/(#|ℹ) pass [1-9]/);
  }, 240_000);

  it('compiles the README’s and docs/extending.md’s route-A code against it', async () => {
    const check = join(app, 'docs-check');
    const sources = [
      ...docBlocks(join(ROOT, 'README.md'), 'In your own Nest app').map((block) => ({ ...block, dir: 'readme' })),
      ...docBlocks(join(ROOT, 'docs', 'extending.md')).map((block) => ({ ...block, dir: 'extending' })),
    ];
    expect(sources.length).toBeGreaterThanOrEqual(6);
    for (const { dir, path, code } of sources) {
      const file = join(check, dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, code);
    }
    writeFileSync(
      join(check, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.', types: ['node', 'jest'] }, include: ['**/*.ts'] }),
    );
    await run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', check], { cwd: app }).catch((error: { stdout?: string }) => {
      throw new Error(`documented code does not compile:\n${error.stdout ?? ''}`);
    });
  }, 120_000);
});
