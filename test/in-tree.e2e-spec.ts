import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { docBlocks } from './helpers/doc-blocks';
import { Spawned, freePort, start, stop, waitFor } from './helpers/processes';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const COPIED = ['src', 'config', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

/**
 * "In a clone of this repository", followed literally: the Nest CLI generates a module and a
 * service, the README's service code goes in, and the built platform serves the new tool —
 * with no edit to config or to any platform file.
 */
describe('a tool module added in-tree, as the README says', () => {
  let clone: string;
  let server: Spawned | undefined;

  beforeAll(() => {
    clone = mkdtempSync(join(tmpdir(), 'mcp-platform-in-tree-'));
    for (const entry of COPIED) cpSync(join(ROOT, entry), join(clone, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    await stop(server);
    rmSync(clone, { recursive: true, force: true });
  });

  it('is generated, built and served', async () => {
    const nest = join(clone, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
    await run(process.execPath, [nest, 'g', 'module', 'weather'], { cwd: clone });
    await run(process.execPath, [nest, 'g', 'service', 'weather', '--no-spec'], { cwd: clone });
    expect(readFileSync(join(clone, 'src', 'app.module.ts'), 'utf8')).toMatch(/imports: \[\s*WeatherModule\s*\]/);

    const [service] = docBlocks(join(ROOT, 'README.md'), 'In a clone of this repository');
    expect(service.path).toBe('src/weather/weather.service.ts');
    writeFileSync(join(clone, service.path), service.code);
    await run(process.execPath, [join(clone, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: clone }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`the in-tree module does not compile:\n${error.stdout ?? ''}`);
      },
    );

    const port = await freePort();
    server = start(
      process.execPath,
      ['dist/main.js'],
      { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: '' },
      { cwd: clone },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200, 30_000, `the in-tree build to be ready:\n${server.output()}`);

    const client = new Client({ name: 'in-tree-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['temperature', 'add']));
      const result = await client.callTool({ name: 'temperature', arguments: { city: 'Paris' } });
      expect(JSON.parse((result.content as Array<{ text: string }>)[0].text)).toEqual({ city: 'Paris', celsius: 21 });
    } finally {
      await client.close();
    }
  }, 120_000);
});
