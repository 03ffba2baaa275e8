import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthorizationServer, MCP_SCOPES, TestClient, claimsOf, machineClient, startAuthorizationServer } from './helpers/oidc';
import { INITIALIZE, RunningPlatform, connectClient, postRaw, startPlatform } from './helpers/platform';

/**
 * Several authorization servers, each a real oidc-provider: the platform's own (`auth.jwt`)
 * and one per tenant (`tenants.<id>.jwt`). A tenant's issuer serves that tenant alone — its
 * own metadata at the tenant's resource path, its tokens bound to the tenant whatever the
 * path, a header or the token's claims say.
 */

const ROBOT: TestClient = { id: 'robot', secret: 'robot-secret-0123456789' };

async function tenantOf(client: Client): Promise<string | undefined> {
  const info = await client.readResource({ uri: 'platform://info' });
  return (JSON.parse((info.contents[0] as { text: string }).text) as { tenantId?: string }).tenantId;
}

describe('per-tenant authorization servers', () => {
  let platformIdp: AuthorizationServer;
  let acmeIdp: AuthorizationServer;
  let globexIdp: AuthorizationServer;
  let platform: RunningPlatform;
  const acmeMcp = () => `${platform.baseUrl}/tenants/acme/mcp`;
  const globexMcp = () => `${platform.baseUrl}/tenants/globex/mcp`;

  beforeAll(async () => {
    [platformIdp, acmeIdp, globexIdp] = await Promise.all([
      startAuthorizationServer({ clients: [machineClient(ROBOT)], claims: { robot: { tenant: 'initech' } } }),
      // Acme's tokens claim another tenant: the claim must not matter, the issuer decides.
      startAuthorizationServer({ clients: [machineClient(ROBOT)], claims: { robot: { tenant: 'globex' } } }),
      startAuthorizationServer({ clients: [machineClient(ROBOT)] }),
    ]);
    platform = await startPlatform({
      gateway: { trustTenantHeaders: true },
      auth: { apiKeys: [], jwt: { issuer: platformIdp.issuer, scopes: MCP_SCOPES } },
      tenants: {
        acme: { jwt: { issuer: acmeIdp.issuer, scopes: { 'mcp:calculator': ['calculator:*'], 'mcp:examples': ['examples:*'] } } },
        globex: { jwt: { issuer: globexIdp.issuer } },
      },
    });
  });

  afterAll(async () => {
    await platform?.close();
    await Promise.all([platformIdp?.stop(), acmeIdp?.stop(), globexIdp?.stop()]);
  });

  it('serves each tenant’s metadata at its resource path: its own authorization server, else the platform’s', async () => {
    const metadataOf = async (path: string) =>
      (await (await fetch(`${platform.baseUrl}/.well-known/oauth-protected-resource${path}`)).json()) as Record<string, unknown>;

    expect(await metadataOf('/tenants/acme/mcp')).toMatchObject({
      resource: acmeMcp(),
      authorization_servers: [acmeIdp.issuer],
      scopes_supported: ['mcp:calculator', 'mcp:examples'],
    });
    expect(await metadataOf('/tenants/globex/mcp')).toMatchObject({ resource: globexMcp(), authorization_servers: [globexIdp.issuer] });
    expect(await metadataOf('/tenants/initech/mcp')).toMatchObject({
      resource: `${platform.baseUrl}/tenants/initech/mcp`,
      authorization_servers: [platformIdp.issuer],
    });
    expect(await metadataOf('/mcp')).toMatchObject({ resource: platform.mcpUrl, authorization_servers: [platformIdp.issuer] });
  });

  it('points the 401 on a tenant’s path at that tenant’s metadata', async () => {
    const response = await postRaw(acmeMcp(), INITIALIZE);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(
      `resource_metadata="${platform.baseUrl}/.well-known/oauth-protected-resource/tenants/acme/mcp"`,
    );
    await response.text();
  });

  it('lets the SDK client get a token from the tenant’s own authorization server and act for that tenant only', async () => {
    const provider = new ClientCredentialsProvider({
      clientId: ROBOT.id,
      clientSecret: ROBOT.secret,
      scope: 'mcp:calculator mcp:examples',
      expectedIssuer: acmeIdp.issuer,
    });
    const client = new Client({ name: 'acme-robot', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(acmeMcp()), { authProvider: provider }));
    try {
      expect(claimsOf(provider.tokens()!.access_token)).toMatchObject({ iss: acmeIdp.issuer, aud: acmeMcp(), tenant: 'globex' });
      expect(await tenantOf(client)).toBe('acme');
      expect((await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })).structuredContent).toEqual({ result: 42 });
    } finally {
      await client.close();
    }
  });

  it('refuses a token of tenant A’s issuer for tenant B, by path (401: another resource) or by binding (403)', async () => {
    const forAcme = (await acmeIdp.clientCredentials(ROBOT, { resource: acmeMcp(), scope: 'mcp:calculator' })).access_token;
    const onGlobex = await postRaw(globexMcp(), INITIALIZE, { authorization: `Bearer ${forAcme}` });
    expect(onGlobex.status).toBe(401);
    expect(onGlobex.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await onGlobex.text();

    // A token of acme's issuer for the server as a whole: still acme's alone.
    const forServer = (await acmeIdp.clientCredentials(ROBOT, { resource: platform.mcpUrl, scope: 'mcp:calculator' })).access_token;
    for (const [url, headers] of [
      [globexMcp(), {}],
      [platform.mcpUrl, { 'x-tenant-id': 'globex' }],
      [acmeMcp(), { 'x-tenant-id': 'globex' }],
    ] as Array<[string, Record<string, string>]>) {
      const response = await postRaw(url, INITIALIZE, { authorization: `Bearer ${forServer}`, ...headers });
      expect(response.status).toBe(403);
      await response.text();
    }
    const { client } = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${forServer}` } });
    try {
      expect(await tenantOf(client)).toBe('acme');
    } finally {
      await client.close();
    }
  });

  it('refuses a token of the platform’s issuer whose tenant claim names another tenant than the path (403)', async () => {
    const initech = (await platformIdp.clientCredentials(ROBOT, { resource: acmeMcp(), scope: 'mcp:calculator' })).access_token;
    const response = await postRaw(acmeMcp(), INITIALIZE, { authorization: `Bearer ${initech}` });
    expect(response.status).toBe(403);
    await response.text();
  });

  it('refuses a token of another tenant’s issuer presented at the platform’s resource (401: not for this resource)', async () => {
    const forGlobex = (await globexIdp.clientCredentials(ROBOT, { resource: globexMcp(), scope: 'mcp:calculator' })).access_token;
    const response = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${forGlobex}` });
    expect(response.status).toBe(401);
    await response.text();
  });
});
