import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { generateApiKey } from '../src/auth/api-key.generator';
import { INITIALIZE, RunningPlatform, connectClient, jsonOf, postRaw, readMessages, startPlatform } from './helpers/platform';

const admin = generateApiKey();
const acme = generateApiKey();
const calcOnly = generateApiKey();
const limited = generateApiKey();

const API_KEYS = [
  { id: 'admin', hash: admin.hash, permissions: ['*'] },
  { id: 'acme-ci', hash: acme.hash, tenant: 'acme', permissions: ['*'] },
  { id: 'calc-only', hash: calcOnly.hash, permissions: ['calculator:*', 'diagnostics:echo'] },
  { id: 'limited', hash: limited.hash, permissions: ['*'], rateLimit: { limit: 3, ttlSeconds: 60 } },
];

const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const call = (name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, arguments: args } });

async function openSession(url: string, headers: Record<string, string>): Promise<string> {
  const response = await postRaw(url, INITIALIZE, headers);
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('mcp-session-id')!;
}

// Both adapters: the guards reach the MCP endpoint through each framework's own request and reply.
describe.each(['express', 'fastify'] as const)('authentication, tenancy, permissions and rate limits (%s)', (adapter) => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({
      http: { adapter },
      auth: { apiKeys: API_KEYS },
      tenants: {
        globex: { tools: { allow: ['calculator:*'], deny: ['divide'] } },
        initech: { rateLimit: { limit: 2, ttlSeconds: 60 } },
      },
    });
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('refuses a request without credentials with 401 and a Bearer challenge, without resource metadata (API keys only)', async () => {
    const response = await postRaw(platform.mcpUrl, INITIALIZE);
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toContain('Bearer realm="mcp"');
    expect(challenge).not.toContain('resource_metadata');
    expect((await jsonOf(response)).error.code).toBe(-32000);
  });

  it('refuses a wrong key with 401 and error="invalid_token"', async () => {
    const response = await postRaw(platform.mcpUrl, INITIALIZE, { 'x-api-key': 'mcp_not-a-real-key' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await response.text();
  });

  it('accepts a key in X-API-Key or as a Bearer token, with the SDK client', async () => {
    const credentials: Array<Record<string, string>> = [{ 'x-api-key': admin.key }, { authorization: `Bearer ${admin.key}` }];
    for (const headers of credentials) {
      const { client } = await connectClient(platform.mcpUrl, { headers });
      try {
        expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).structuredContent).toEqual({ result: 3 });
      } finally {
        await client.close();
      }
    }
  });

  it('serves no RFC 9728 metadata when no OAuth authorization server is configured', async () => {
    const response = await fetch(`${platform.baseUrl}/.well-known/oauth-protected-resource`);
    expect(response.status).toBe(404);
    await response.text();
  });

  it('keeps health and metrics public', async () => {
    expect((await fetch(`${platform.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${platform.baseUrl}/metrics`)).status).toBe(200);
  });

  it('puts /tools behind the same auth', async () => {
    expect((await fetch(`${platform.baseUrl}/tools`)).status).toBe(401);
    expect((await fetch(`${platform.baseUrl}/tools`, { headers: { 'x-api-key': admin.key } })).status).toBe(200);
  });

  it('binds a key to its tenant: used for another tenant it gets 403', async () => {
    const own = await postRaw(`${platform.baseUrl}/tenants/acme/mcp`, INITIALIZE, { 'x-api-key': acme.key });
    expect(own.status).toBe(200);
    await own.text();
    const other = await postRaw(`${platform.baseUrl}/tenants/globex/mcp`, INITIALIZE, { 'x-api-key': acme.key });
    expect(other.status).toBe(403);
    expect((await jsonOf(other)).error.message).toContain('bound to tenant acme');
  });

  it('takes the tenant from the key binding on /mcp', async () => {
    const { client } = await connectClient(platform.mcpUrl, { headers: { 'x-api-key': acme.key } });
    try {
      const info = await client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBe('acme');
    } finally {
      await client.close();
    }
  });

  it('ignores X-Tenant-Id when no trusted gateway is configured', async () => {
    const { client } = await connectClient(platform.mcpUrl, { headers: { 'x-api-key': admin.key, 'x-tenant-id': 'spoofed' } });
    try {
      const info = await client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBeNull();
    } finally {
      await client.close();
    }
  });

  it('refuses a tenant id that is not a safe name with 400', async () => {
    const response = await postRaw(`${platform.baseUrl}/tenants/..%2Fx/mcp`, INITIALIZE, { 'x-api-key': admin.key });
    expect(response.status).toBe(400);
    await response.text();
  });

  it('answers 404 for a session opened by another key (no hint it exists)', async () => {
    const sessionId = await openSession(platform.mcpUrl, { 'x-api-key': admin.key });
    const stolen = await postRaw(platform.mcpUrl, list, { 'x-api-key': calcOnly.key, 'mcp-session-id': sessionId });
    expect(stolen.status).toBe(404);
    await stolen.text();
  });

  it('shows a key only the tools its permissions cover, and refuses the others with a JSON-RPC error of their own', async () => {
    const sessionId = await openSession(platform.mcpUrl, { 'x-api-key': calcOnly.key });
    const headers = { 'x-api-key': calcOnly.key, 'mcp-session-id': sessionId };
    const [listed] = await readMessages(await postRaw(platform.mcpUrl, list, headers));
    const names = (listed.result as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['add', 'divide', 'echo']));
    expect(names).not.toContain('environmentDump');
    expect(names).not.toContain('generate_numbers');
    const refused = await postRaw(platform.mcpUrl, call('environmentDump'), headers);
    expect(refused.status).toBe(200);
    const [answer] = await readMessages(refused);
    expect(answer.id).toBe(call('environmentDump').id);
    expect((answer.error as { code: number; message: string }).code).toBe(-32003);
    expect((answer.error as { code: number; message: string }).message).toContain('diagnostics:environmentDump');
  });

  it('needs diagnostics:sensitive for tools that disclose headers or the environment', async () => {
    const sessionId = await openSession(platform.mcpUrl, { 'x-api-key': admin.key });
    const [listed] = await readMessages(await postRaw(platform.mcpUrl, list, { 'x-api-key': admin.key, 'mcp-session-id': sessionId }));
    expect((listed.result as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toContain('environmentDump');
  });

  it('applies a tenant’s allow and deny rules', async () => {
    const url = `${platform.baseUrl}/tenants/globex/mcp`;
    const sessionId = await openSession(url, { 'x-api-key': admin.key });
    const headers = { 'x-api-key': admin.key, 'mcp-session-id': sessionId };
    const [listed] = await readMessages(await postRaw(url, list, headers));
    const names = (listed.result as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name);
    expect(names).toContain('add');
    expect(names).not.toContain('divide');
    expect(names).not.toContain('echo');
    const refused = await postRaw(url, call('divide', { a: 1, b: 1 }), headers);
    expect(refused.status).toBe(200);
    expect(((await readMessages(refused))[0].error as { code: number }).code).toBe(-32003);
  });

  it('limits a key to its own rate limit, then answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let index = 0; index < 4; index += 1) {
      last = await postRaw(platform.mcpUrl, INITIALIZE, { 'x-api-key': limited.key });
      statuses.push(last.status);
      if (index < 3) {
        expect(last.headers.get('x-ratelimit-limit')).toBe('3');
        expect(last.headers.get('x-ratelimit-remaining')).toBe(String(2 - index));
      }
      await last.text().catch(() => undefined);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits a tenant as a whole', async () => {
    const url = `${platform.baseUrl}/tenants/initech/mcp`;
    const statuses: number[] = [];
    for (const key of [admin.key, calcOnly.key, admin.key]) {
      const response = await postRaw(url, INITIALIZE, { 'x-api-key': key });
      statuses.push(response.status);
      await response.text();
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe.each(['express', 'fastify'] as const)('a tool with its own rate limit (%s)', (adapter) => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    const { QuotaToolsModule } = await import('./fixtures/quota-tools.module');
    platform = await startPlatform({ http: { adapter } }, [QuotaToolsModule]);
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('refuses calls past the tool’s limit (-32004, with the retry delay) while other tools keep working', async () => {
    const sessionId = await openSession(platform.mcpUrl, {});
    const headers = { 'mcp-session-id': sessionId };
    const codes: Array<number | undefined> = [];
    let last: Record<string, unknown> | undefined;
    for (let index = 0; index < 3; index += 1) {
      const response = await postRaw(platform.mcpUrl, call('fixture_quota'), headers);
      expect(response.status).toBe(200);
      [last] = await readMessages(response);
      codes.push((last.error as { code: number } | undefined)?.code);
    }
    expect(codes).toEqual([undefined, undefined, -32004]);
    expect((last!.error as { data: { retryAfterSeconds: number } }).data.retryAfterSeconds).toBeGreaterThan(0);
    const other = await postRaw(platform.mcpUrl, call('add', { a: 1, b: 1 }), headers);
    expect(other.status).toBe(200);
    await other.text();
  });

  it('holds the tool’s limit on the legacy SSE transport too (one gate for every edge)', async () => {
    // Another tenant: a caller of its own, with a fresh quota.
    const client = new Client({ name: 'legacy-quota', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(`${platform.baseUrl}/tenants/legacy/sse`)));
    try {
      await client.callTool({ name: 'fixture_quota', arguments: {} });
      await client.callTool({ name: 'fixture_quota', arguments: {} });
      await expect(client.callTool({ name: 'fixture_quota', arguments: {} })).rejects.toMatchObject({ code: -32004 });
    } finally {
      await client.close();
    }
  });
});

describe('JWT bearer tokens', () => {
  let platform: RunningPlatform;
  let jwks: Server;
  let sign: (claims: Record<string, unknown>, options?: { issuer?: string; expiresIn?: string }) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(options.issuer ?? 'https://issuer.test')
        .setAudience('mcp-platform')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    platform = await startPlatform({
      auth: { apiKeys: [], jwt: { issuer: 'https://issuer.test', audience: 'mcp-platform', jwksUrl, permissionsClaim: 'scope' } },
    });
  });

  afterAll(async () => {
    await platform?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it('accepts a valid token and maps its tenant and scope claims', async () => {
    const token = await sign({ sub: 'user-1', tenant: 'acme', scope: 'calculator:* examples:*' });
    const { client } = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${token}` } });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(
        ['add', 'divide', 'generate_numbers', 'increment_counter', 'multiply', 'power', 'sqrt', 'subtract'].sort(),
      );
      const info = await client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBe('acme');
    } finally {
      await client.close();
    }
  });

  it('refuses a token from another issuer, an expired token and a forged one', async () => {
    const other = await sign({ sub: 'u' }, { issuer: 'https://evil.test' });
    const expired = await sign({ sub: 'u' }, { expiresIn: '-1m' });
    const valid = await sign({ sub: 'u' });
    const forged = `${valid.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`;
    for (const token of [other, expired, forged]) {
      const response = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      await response.text();
    }
  });

  it('names the issuer as authorization server in the metadata', async () => {
    const metadata = await jsonOf<{ authorization_servers: string[] }>(await fetch(`${platform.baseUrl}/.well-known/oauth-protected-resource`));
    expect(metadata.authorization_servers).toEqual(['https://issuer.test']);
  });
});

describe('behind a trusted gateway (gateway.trustTenantHeaders)', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ gateway: { trustTenantHeaders: true }, auth: { apiKeys: API_KEYS } });
  });

  afterAll(async () => {
    await platform?.close();
  });

  it('takes tenant and user from X-Tenant-Id and X-User-Id', async () => {
    const { client } = await connectClient(platform.mcpUrl, { headers: { 'x-api-key': admin.key, 'x-tenant-id': 'umbrella', 'x-user-id': 'alice' } });
    try {
      const info = await client.readResource({ uri: 'platform://info' });
      expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBe('umbrella');
    } finally {
      await client.close();
    }
  });

  it('refuses a header that contradicts the key’s tenant with 403', async () => {
    const response = await postRaw(platform.mcpUrl, INITIALIZE, { 'x-api-key': acme.key, 'x-tenant-id': 'umbrella' });
    expect(response.status).toBe(403);
    await response.text();
  });
});
