import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { AppModule } from '../src/app.module';
import { generateApiKey } from '../src/auth/api-key.generator';
import { loadConfig } from '../src/config';
import { connectClient, postRaw } from './helpers/platform';

/**
 * An application that builds its own Nest app around the platform's modules, without
 * `createApp`: the MCP endpoint mounts itself at module init (after Nest's own routes) and
 * serves as it does under `createApp`, behind the same global guards.
 */
describe('the MCP endpoint in an app bootstrapped without createApp (Express)', () => {
  const credential = generateApiKey();
  let app: INestApplication;
  let mcpUrl: string;

  beforeAll(async () => {
    const config = loadConfig({
      env: {},
      overrides: { nodeId: 'own-bootstrap', logging: { level: 'silent' }, auth: { apiKeys: [{ id: 'ci', hash: credential.hash, permissions: ['*'] }] } },
    });
    app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    mcpUrl = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/mcp`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves tools through the SDK client', async () => {
    const { client } = await connectClient(mcpUrl, { headers: { 'x-api-key': credential.key } });
    try {
      const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      expect(result.structuredContent).toEqual({ result: 5 });
    } finally {
      await client.close();
    }
  });

  it('runs the global guards on it', async () => {
    const refused = await postRaw(mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect(await refused.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });
});
