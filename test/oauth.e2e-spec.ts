import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateApiKey } from '../src/auth/api-key.generator';
import { loadConfig } from '../src/config';
import { AuthorizationServer, MCP_SCOPES, TestClient, claimsOf, machineClient, startAuthorizationServer, withHeader } from './helpers/oidc';
import { BrowserlessOAuthClient, connectWithOAuth } from './helpers/oidc-client';
import { INITIALIZE, RunningPlatform, connectClient, postRaw, readMessages, startPlatform } from './helpers/platform';

/**
 * The platform as an OAuth protected resource (MCP authorization, 2025-11-25) against a real
 * authorization server (oidc-provider in a child process): RFC 9728 metadata, audience-bound
 * tokens (RFC 8707), scopes mapped to permissions, step-up on a missing scope, the SDK
 * client's own OAuth flows (client credentials; authorization code + PKCE with dynamic
 * client registration), and signing-key rotation without a restart.
 */

const ROBOT: TestClient = { id: 'robot', secret: 'robot-secret-0123456789' };
const apiKey = generateApiKey();

const toolNames = (tools: Array<{ name: string }>) => tools.map((tool) => tool.name);
const callAdd = (id: number | string = 7) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });

describe('OAuth resource server (express)', () => {
  let as: AuthorizationServer;
  let other: AuthorizationServer;
  let platform: RunningPlatform;
  let resource: string;
  const token = async (scope: string, audience = resource) => (await as.clientCredentials(ROBOT, { resource: audience, scope })).access_token;

  beforeAll(async () => {
    [as, other] = await Promise.all([
      startAuthorizationServer({ clients: [machineClient(ROBOT)], claims: { robot: { tenant: 'acme' } } }),
      startAuthorizationServer({ clients: [machineClient(ROBOT)] }),
    ]);
    platform = await startPlatform({
      auth: {
        apiKeys: [{ id: 'calc-only', hash: apiKey.hash, permissions: ['calculator:*'] }],
        jwt: { issuer: as.issuer, scopes: MCP_SCOPES, clockToleranceSeconds: 0, jwksCooldownSeconds: 1 },
      },
    });
    resource = platform.mcpUrl;
  });

  afterAll(async () => {
    await platform?.close();
    await Promise.all([as?.stop(), other?.stop()]);
  });

  describe('protected-resource metadata (RFC 9728)', () => {
    it('names the authorization server and the scopes at the resource’s path and at the root', async () => {
      for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
        const response = await fetch(`${platform.baseUrl}${path}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          resource,
          authorization_servers: [as.issuer],
          scopes_supported: Object.keys(MCP_SCOPES),
          bearer_methods_supported: ['header'],
          resource_name: 'MCP platform',
        });
      }
    });

    it('serves none for a path that is no resource of this server', async () => {
      const response = await fetch(`${platform.baseUrl}/.well-known/oauth-protected-resource/elsewhere`);
      expect(response.status).toBe(404);
      await response.text();
    });

    it('points the 401 challenge at the resource’s metadata', async () => {
      const response = await postRaw(platform.mcpUrl, INITIALIZE);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="mcp", resource_metadata="${platform.baseUrl}/.well-known/oauth-protected-resource/mcp"`,
      );
      await response.text();
    });
  });

  describe('client credentials (machines), with the SDK client', () => {
    it('discovers the authorization server, gets a token for this resource and calls tools', async () => {
      const provider = new ClientCredentialsProvider({
        clientId: ROBOT.id,
        clientSecret: ROBOT.secret,
        scope: 'mcp:calculator',
        expectedIssuer: as.issuer,
      });
      const client = new Client({ name: 'robot', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(platform.mcpUrl), { authProvider: provider }));
      try {
        expect(claimsOf(provider.tokens()!.access_token)).toMatchObject({ iss: as.issuer, aud: resource, sub: 'robot', scope: 'mcp:calculator' });
        expect(toolNames((await client.listTools()).tools).sort()).toEqual(['add', 'divide', 'multiply', 'power', 'sqrt', 'subtract']);
        expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).structuredContent).toEqual({ result: 5 });
        const info = await client.readResource({ uri: 'platform://info' });
        expect(JSON.parse((info.contents[0] as { text: string }).text).tenantId).toBe('acme');
      } finally {
        await client.close();
      }
    });

    it('shows each token the tools its own scopes allow, even for one subject', async () => {
      const wide = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${await token('mcp:calculator mcp:diagnostics')}` } });
      const narrow = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${await token('mcp:diagnostics')}` } });
      try {
        const wideTools = toolNames((await wide.client.listTools()).tools);
        const narrowTools = toolNames((await narrow.client.listTools()).tools);
        expect(wideTools).toEqual(expect.arrayContaining(['add', 'echo']));
        expect(narrowTools).toContain('echo');
        expect(narrowTools).not.toContain('add');
      } finally {
        await Promise.all([wide.client.close(), narrow.client.close()]);
      }
    });
  });

  describe('tokens refused (401 with a challenge)', () => {
    async function expectRefused(bearer: string): Promise<void> {
      const response = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${bearer}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="mcp", resource_metadata="${platform.baseUrl}/.well-known/oauth-protected-resource/mcp", error="invalid_token"`,
      );
      await response.text();
    }

    it('refuses a token minted for another resource (audience, RFC 8707)', async () => {
      const elsewhere = await token('mcp:calculator', 'https://other.example.com/mcp');
      expect(claimsOf(elsewhere).aud).toBe('https://other.example.com/mcp');
      await expectRefused(elsewhere);
    });

    it('refuses a token from an authorization server it does not trust', async () => {
      await expectRefused((await other.clientCredentials(ROBOT, { resource, scope: 'mcp:calculator' })).access_token);
    });

    it('refuses a token whose header says alg "none", and one whose signature does not match', async () => {
      const real = await token('mcp:calculator');
      const [, payload] = real.split('.');
      await expectRefused(`${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`);
      await expectRefused(`${real.slice(0, real.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`);
    });
  });

  describe('step-up on a missing scope', () => {
    it('answers a single call with 403, the insufficient_scope challenge and the JSON-RPC error with its id (SSE call)', async () => {
      const bearer = await token('mcp:diagnostics');
      const { client, transport } = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${bearer}` } });
      try {
        const response = await postRaw(platform.mcpUrl, callAdd('call-1'), {
          authorization: `Bearer ${bearer}`,
          'mcp-session-id': transport.sessionId!,
          'mcp-protocol-version': '2025-11-25',
        });
        expect(response.status).toBe(403);
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer error="insufficient_scope", scope="mcp:diagnostics mcp:calculator", resource_metadata="${platform.baseUrl}/.well-known/oauth-protected-resource/mcp"`,
        );
        expect(await response.json()).toEqual({
          jsonrpc: '2.0',
          id: 'call-1',
          error: {
            code: -32003,
            message: 'Forbidden: tool "add" needs scope mcp:calculator; authorize again with it',
            data: { requiredScopes: ['mcp:calculator'], wwwAuthenticate: response.headers.get('www-authenticate') },
          },
        });
      } finally {
        await client.close();
      }
    });

    it('keeps the refusal inside a batch (HTTP 200), beside the other answers', async () => {
      const bearer = await token('mcp:diagnostics');
      const { client, transport } = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${bearer}` } });
      try {
        const response = await postRaw(platform.mcpUrl, [callAdd(1), { jsonrpc: '2.0', id: 2, method: 'tools/list' }], {
          authorization: `Bearer ${bearer}`,
          'mcp-session-id': transport.sessionId!,
        });
        expect(response.status).toBe(200);
        const messages = await readMessages(response);
        expect(messages.find((message) => message.id === 1)).toMatchObject({ error: { code: -32003, data: { requiredScopes: ['mcp:calculator'] } } });
        expect(messages.find((message) => message.id === 2)).toHaveProperty('result');
      } finally {
        await client.close();
      }
    });

    it('keeps API keys as they were: the refused call is a JSON-RPC error with its id, over HTTP 200', async () => {
      const { client, transport } = await connectClient(platform.mcpUrl, { headers: { 'x-api-key': apiKey.key } });
      try {
        const response = await postRaw(
          platform.mcpUrl,
          { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
          {
            'x-api-key': apiKey.key,
            'mcp-session-id': transport.sessionId!,
          },
        );
        expect(response.status).toBe(200);
        expect(response.headers.get('www-authenticate')).toBeNull();
        expect(await readMessages(response)).toEqual([{ jsonrpc: '2.0', id: 9, error: expect.objectContaining({ code: -32003 }) }]);
      } finally {
        await client.close();
      }
    });
  });

  describe('authorization code + PKCE with dynamic client registration, with the SDK client', () => {
    afterEach(() => as.configure({ grantable: Object.keys(MCP_SCOPES) }));

    it('registers, authorizes, gets an audience-bound token and lists and calls tools', async () => {
      const provider = new BrowserlessOAuthClient();
      const { client } = await connectWithOAuth(platform.mcpUrl, provider);
      try {
        expect(provider.clientInformation()?.client_id).toEqual(expect.any(String));
        const authorization = provider.authorizations[0];
        expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
        expect(authorization.searchParams.get('resource')).toBe(resource);
        expect(claimsOf(provider.tokens()!.access_token)).toMatchObject({ iss: as.issuer, aud: resource, sub: 'alice' });
        expect(toolNames((await client.listTools()).tools)).toEqual(expect.arrayContaining(['add', 'echo', 'generate_numbers']));
        expect((await client.callTool({ name: 'multiply', arguments: { a: 6, b: 7 } })).structuredContent).toEqual({ result: 42 });
      } finally {
        await client.close();
      }
    });

    it('steps up: a call the token’s scopes do not cover sends the user to authorize that scope, then succeeds in the same session', async () => {
      await as.configure({ grantable: ['mcp:diagnostics'] });
      const provider = new BrowserlessOAuthClient();
      const { client, transport } = await connectWithOAuth(platform.mcpUrl, provider);
      try {
        expect(claimsOf(provider.tokens()!.access_token).scope).toBe('mcp:diagnostics');
        const sessionId = transport.sessionId;
        // With a refresh token the SDK refreshes (same scopes) instead of asking the user: typescript-sdk#2255.
        provider.forgetRefreshToken();
        await as.configure({ grantable: Object.keys(MCP_SCOPES) });

        await expect(client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).rejects.toBeInstanceOf(UnauthorizedError);
        expect(provider.authorizations.at(-1)!.searchParams.get('scope')).toBe('mcp:diagnostics mcp:calculator');
        await transport.finishAuth(provider.takeCode());

        expect(claimsOf(provider.tokens()!.access_token).scope).toBe('mcp:diagnostics mcp:calculator');
        expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).structuredContent).toEqual({ result: 2 });
        expect(transport.sessionId).toBe(sessionId);
      } finally {
        await client.close();
      }
    });
  });

  describe('signing keys (JWKS)', () => {
    it('accepts a token signed with a freshly rotated key within the cool-down, without a restart', async () => {
      const before = await token('mcp:calculator');
      expect((await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${before}` })).status).toBe(200);
      // A token with a kid the platform does not know: it fetches the keys now (still the old set)…
      const unknown = withHeader(before, { alg: 'RS256', kid: randomUUID() });
      expect((await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${unknown}` })).status).toBe(401);
      // …then the authorization server rotates, inside the platform's cool-down.
      const kid = await as.rotateKeys();
      const after = await token('mcp:calculator');
      expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).toBe(kid);

      const { jwksRequests } = await as.stats();
      const started = Date.now();
      const response = await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${after}` });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await as.stats()).jwksRequests).toBe(jwksRequests + 1);
      await response.text();
      // Tokens signed with the old key stay valid while the issuer still publishes it.
      expect((await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${before}` })).status).toBe(200);
    });

    it('refuses a flood of unknown kids with 401, costing the issuer one JWKS fetch per cool-down', async () => {
      const real = await token('mcp:calculator');
      const { jwksRequests: before } = await as.stats();
      const started = Date.now();
      const responses = await Promise.all(
        Array.from({ length: 40 }, () =>
          postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${withHeader(real, { alg: 'RS256', kid: randomUUID() })}` }),
        ),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(responses.map((response) => response.status)).toEqual(Array(40).fill(401));
      await Promise.all(responses.map((response) => response.text()));
      // jwksCooldownSeconds: 1 — one fetch per second of flood at most (the first may come at once).
      expect((await as.stats()).jwksRequests - before).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
      // And the real token still works.
      expect((await postRaw(platform.mcpUrl, INITIALIZE, { authorization: `Bearer ${real}` })).status).toBe(200);
    });
  });
});

describe('OAuth resource server (fastify)', () => {
  let as: AuthorizationServer;
  let platform: RunningPlatform;

  beforeAll(async () => {
    as = await startAuthorizationServer({ clients: [machineClient(ROBOT)] });
    platform = await startPlatform({ http: { adapter: 'fastify' }, auth: { apiKeys: [], jwt: { issuer: as.issuer, scopes: MCP_SCOPES } } });
  });

  afterAll(async () => {
    await platform?.close();
    await as?.stop();
  });

  it('serves the metadata at the resource’s path and answers a missing scope with 403 and the challenge', async () => {
    const metadata = await fetch(`${platform.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    expect(metadata.status).toBe(200);
    expect(((await metadata.json()) as { resource: string }).resource).toBe(platform.mcpUrl);

    const bearer = (await as.clientCredentials(ROBOT, { resource: platform.mcpUrl, scope: 'mcp:diagnostics' })).access_token;
    const { client, transport } = await connectClient(platform.mcpUrl, { headers: { authorization: `Bearer ${bearer}` } });
    try {
      const response = await postRaw(platform.mcpUrl, callAdd(), { authorization: `Bearer ${bearer}`, 'mcp-session-id': transport.sessionId! });
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="mcp:diagnostics mcp:calculator"');
      expect(await response.json()).toMatchObject({ id: 7, error: { code: -32003 } });
    } finally {
      await client.close();
    }
  });
});

describe('docs/security.md, "OAuth: connect your identity provider"', () => {
  it('has YAML examples that load as config, as they are', () => {
    const doc = readFileSync(resolvePath(__dirname, '..', 'docs', 'security.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## OAuth: connect your identity provider'), doc.indexOf('## Behind a gateway'));
    const blocks = [...section.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((match) => match[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const dir = mkdtempSync(join(tmpdir(), 'mcp-oauth-docs-'));
    try {
      blocks.forEach((block, index) => {
        const file = join(dir, `example-${index}.yaml`);
        writeFileSync(file, block, 'utf8');
        expect(() => loadConfig({ env: { MCP_CONFIG: file }, configDir: dir })).not.toThrow();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
