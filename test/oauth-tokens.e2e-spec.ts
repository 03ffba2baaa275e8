import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthorizationServer, MCP_SCOPES, TestClient, claimsOf, machineClient, startAuthorizationServer } from './helpers/oidc';
import { BrowserlessOAuthClient, connectWithOAuth } from './helpers/oidc-client';
import { INITIALIZE, RunningPlatform, jsonOf, postRaw, startPlatform } from './helpers/platform';

/**
 * Access-token lifetimes against a real authorization server (oidc-provider): a short-lived JWT
 * expires and the SDK client refreshes it in the same session; opaque tokens are introspected
 * (RFC 7662), cached, and refused once revoked; an unreachable authorization server is a 503,
 * not a 401.
 */

const ROBOT: TestClient = { id: 'robot', secret: 'robot-secret-0123456789' };
/** The platform's own client at the authorization server, for introspection. */
const PLATFORM_CLIENT: TestClient = { id: 'mcp-platform', secret: 'platform-secret-0123456789' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('expiring access tokens', () => {
  let as: AuthorizationServer;
  let platform: RunningPlatform;

  beforeAll(async () => {
    as = await startAuthorizationServer({ accessTokenTtlSeconds: 2, refreshTokens: true });
    platform = await startPlatform({ auth: { apiKeys: [], jwt: { issuer: as.issuer, scopes: MCP_SCOPES, clockToleranceSeconds: 0 } } });
  });

  afterAll(async () => {
    await platform?.close();
    await as?.stop();
  });

  it('refuses an expired token with 401 invalid_token; the SDK client refreshes it and the session goes on', async () => {
    const provider = new BrowserlessOAuthClient();
    const { client, transport } = await connectWithOAuth(platform.mcpUrl, provider);
    try {
      expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).structuredContent).toEqual({ result: 3 });
      const first = provider.tokens()!;
      expect(first.refresh_token).toEqual(expect.any(String));
      const sessionId = transport.sessionId;

      await sleep(Math.max(0, (claimsOf(first.access_token).exp as number) * 1000 - Date.now()) + 300);
      const expired = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${first.access_token}` });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
      await expired.text();

      expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } })).structuredContent).toEqual({ result: 4 });
      expect(provider.tokens()!.access_token).not.toBe(first.access_token);
      expect(provider.authorizations).toHaveLength(1);
      expect(transport.sessionId).toBe(sessionId);
    } finally {
      await client.close();
    }
  });
});

describe('opaque access tokens (RFC 7662 introspection)', () => {
  let as: AuthorizationServer;
  let platform: RunningPlatform;
  const opaqueToken = async (resource = platform.mcpUrl) => (await as.clientCredentials(ROBOT, { resource, scope: 'mcp:calculator' })).access_token;

  beforeAll(async () => {
    as = await startAuthorizationServer({ tokenFormat: 'opaque', clients: [machineClient(ROBOT), machineClient(PLATFORM_CLIENT, [])] });
    platform = await startPlatform({
      auth: {
        apiKeys: [],
        jwt: {
          issuer: as.issuer,
          scopes: MCP_SCOPES,
          introspection: { clientId: PLATFORM_CLIENT.id, clientSecret: PLATFORM_CLIENT.secret, cacheSeconds: 1 },
        },
      },
    });
  });

  afterAll(async () => {
    await platform?.close();
    await as?.stop();
  });

  it('accepts an opaque token from the SDK client, asking the authorization server once per cache period', async () => {
    const provider = new ClientCredentialsProvider({ clientId: ROBOT.id, clientSecret: ROBOT.secret, scope: 'mcp:calculator', expectedIssuer: as.issuer });
    const client = new Client({ name: 'robot', version: '1.0.0' });
    const { introspectionRequests: before } = await as.stats();
    const started = Date.now();
    await client.connect(new StreamableHTTPClientTransport(new URL(platform.mcpUrl), { authProvider: provider }));
    try {
      expect(provider.tokens()!.access_token.split('.')).toHaveLength(1);
      for (let round = 0; round < 3; round++) {
        await Promise.all([client.listTools(), client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), client.ping()]);
      }
      // A dozen requests with one token; cacheSeconds: 1 — one question per second at most.
      const asked = (await as.stats()).introspectionRequests - before;
      expect(asked).toBeGreaterThanOrEqual(1);
      expect(asked).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    } finally {
      await client.close();
    }
  });

  it('refuses a revoked token: at once when unseen, within cacheSeconds when cached', async () => {
    const cached = await opaqueToken();
    expect((await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${cached}` })).status).toBe(200);
    const unseen = await opaqueToken();
    await as.revoke(cached, ROBOT);
    await as.revoke(unseen, ROBOT);

    const refused = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${unseen}` });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await refused.text();
    await sleep(1100);
    expect((await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${cached}` })).status).toBe(401);
  });

  it('refuses an active opaque token issued for another resource', async () => {
    const response = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${await opaqueToken('https://other.example.com/mcp')}` });
    expect(response.status).toBe(401);
    await response.text();
  });
});

describe('authorization server unreachable', () => {
  let as: AuthorizationServer;
  let platform: RunningPlatform;

  beforeAll(async () => {
    as = await startAuthorizationServer({ clients: [machineClient(ROBOT)] });
    platform = await startPlatform({ auth: { apiKeys: [], jwt: { issuer: as.issuer } } });
  });

  afterAll(async () => {
    await platform?.close();
    await as?.stop();
  });

  it('answers 503 with Retry-After (not 401: the token may be fine) while its keys cannot be fetched', async () => {
    const bearer = (await as.clientCredentials(ROBOT, { resource: platform.mcpUrl, scope: 'mcp:calculator' })).access_token;
    await as.stop();

    const response = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${bearer}` });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await jsonOf(response)).error.code).toBe(-32000);
  });
});
