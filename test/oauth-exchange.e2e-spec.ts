import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { generateApiKey } from '../src/auth/api-key.generator';
import { AuthorizationServer, TestClient, claimsOf, exchangingClient, startAuthorizationServer } from './helpers/oidc';
import { BrowserlessOAuthClient, connectWithOAuth } from './helpers/oidc-client';
import { ConnectedClient, connectClient } from './helpers/platform';
import { Spawned, freePort, start, stop, waitFor } from './helpers/processes';

/**
 * Tools that call a downstream API on behalf of their caller (RFC 8693 token exchange), against
 * a real authorization server (oidc-provider, with the token-exchange grant registered) and a
 * downstream service that checks the exchanged token with the provider's keys. The platform
 * runs as its own process (test/fixtures/exchange-app.cjs, on dist/) so every line it logs
 * can be searched for tokens.
 */

const FIXTURE_APP = resolve(__dirname, 'fixtures', 'exchange-app.cjs');
const ORDERS_AUDIENCE = 'https://orders.example.com';
/** The platform's own client at the authorization server, allowed token exchange. */
const PLATFORM_CLIENT: TestClient = { id: 'mcp-platform', secret: 'platform-exchange-secret-0123456789' };
const apiKey = generateApiKey();

interface Downstream {
  url: string;
  /** Every token presented, valid or not. */
  tokens: string[];
  server: Server;
}

/** The orders API: accepts tokens the authorization server signed for its audience, and answers as the token's subject. */
async function startOrdersService(issuer: string): Promise<Downstream> {
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const tokens: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!token) return answer(401, { error: 'no token' });
    tokens.push(token);
    jwtVerify(token, keys, { issuer, audience: ORDERS_AUDIENCE, algorithms: ['RS256'] }).then(
      ({ payload }: { payload: JWTPayload & { scope?: string; act?: unknown; client_id?: string } }) => {
        if (!(payload.scope ?? '').split(' ').includes('orders:read')) return answer(403, { error: 'insufficient_scope' });
        answer(200, { owner: payload.sub, actor: payload.act, orders: [{ id: 'o-1', item: 'teapot' }] });
      },
      (error: Error) => answer(401, { error: error.message }),
    );
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokens, server };
}

const textOf = (result: Awaited<ReturnType<ConnectedClient['client']['callTool']>>) => (result.content as Array<{ text: string }>)[0].text;

describe('calling a downstream API on behalf of the user (RFC 8693 token exchange)', () => {
  let as: AuthorizationServer;
  let orders: Downstream;
  let platform: Spawned | undefined;
  let mcpUrl: string;
  let baseUrl: string;
  let configDir: string;
  let user: ConnectedClient;
  const oauth = new BrowserlessOAuthClient();

  beforeAll(async () => {
    // Built by test/global-setup.js.
    expect(existsSync(resolve(__dirname, '..', 'dist', 'bootstrap.js'))).toBe(true);
    as = await startAuthorizationServer({
      clients: [exchangingClient(PLATFORM_CLIENT)],
      scopes: ['mcp:orders'],
      exchangeAudiences: { [ORDERS_AUDIENCE]: ['orders:read'] },
    });
    orders = await startOrdersService(as.issuer);
    configDir = mkdtempSync(join(tmpdir(), 'mcp-exchange-'));
    const configFile = join(configDir, 'platform.yaml');
    // JSON is YAML.
    writeFileSync(
      configFile,
      JSON.stringify({
        auth: {
          apiKeys: [{ id: 'orders-robot', hash: apiKey.hash, permissions: ['*'] }],
          jwt: {
            issuer: as.issuer,
            scopes: { 'mcp:orders': ['orders:*'] },
            tokenExchange: { clientId: PLATFORM_CLIENT.id, clientSecret: PLATFORM_CLIENT.secret },
          },
        },
        audit: { enabled: true },
      }),
    );
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    mcpUrl = `${baseUrl}/mcp`;
    platform = start(process.execPath, [FIXTURE_APP], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      MCP_CONFIG: configFile,
      // Every line the platform can write, so none of them may hold a token.
      LOG_LEVEL: 'trace',
      ORDERS_URL: orders.url,
      ORDERS_AUDIENCE,
    });
    await waitFor(() => platform!.output().includes('exchange fixture listening'), 20_000, 'the platform to listen').catch((error: Error) => {
      throw new Error(`${error.message}:\n${platform!.output().slice(-4000)}`);
    });
    user = await connectWithOAuth(mcpUrl, oauth);
  }, 40_000);

  afterAll(async () => {
    await user?.client.close().catch(() => undefined);
    await stop(platform);
    if (orders) await new Promise((closed) => orders.server.close(closed));
    await as?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('calls the downstream API with a token for its audience, as the user (sub) and by the platform (act)', async () => {
    const result = await user.client.callTool({ name: 'listOrders', arguments: {} });

    expect(result.isError).toBeFalsy();
    expect(JSON.parse(textOf(result))).toEqual({ owner: 'alice', actor: { sub: PLATFORM_CLIENT.id }, orders: [{ id: 'o-1', item: 'teapot' }] });
    const exchanged = claimsOf(orders.tokens.at(-1)!);
    expect(exchanged).toMatchObject({ iss: as.issuer, aud: ORDERS_AUDIENCE, sub: 'alice', client_id: PLATFORM_CLIENT.id, scope: 'orders:read' });
    // Not the caller's own token, which is for the MCP server.
    expect(orders.tokens.at(-1)).not.toBe(oauth.tokens()!.access_token);
    expect(claimsOf(oauth.tokens()!.access_token)).toMatchObject({ sub: 'alice', aud: mcpUrl });
  });

  it('reuses the exchanged token on the next call instead of asking the authorization server again', async () => {
    await user.client.callTool({ name: 'listOrders', arguments: {} });
    const { tokenExchanges: before } = await as.stats();
    const seen = orders.tokens.length;

    const results = await Promise.all([1, 2, 3].map(() => user.client.callTool({ name: 'listOrders', arguments: {} })));

    expect(results.map((result) => result.isError ?? false)).toEqual([false, false, false]);
    expect((await as.stats()).tokenExchanges).toBe(before);
    expect(new Set(orders.tokens.slice(seen - 1))).toEqual(new Set([orders.tokens[seen - 1]]));
  });

  it('asks again for other scopes (ctx.tokenFor override) and reports the OAuth error code when refused', async () => {
    const { tokenExchanges: before } = await as.stats();

    const refused = await user.client.callTool({ name: 'listOrdersWithScopes', arguments: { scopes: ['orders:read', 'orders:write'] } });

    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(
      `The authorization server refused the token exchange for ${ORDERS_AUDIENCE}: invalid_scope (scope not allowed for this audience)`,
    );
    expect((await as.stats()).tokenExchanges).toBe(before + 1);
  });

  it('answers a tool error naming invalid_target for an audience the authorization server does not know', async () => {
    const result = await user.client.callTool({ name: 'listInvoices', arguments: {} });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('refused the token exchange for https://invoices.example.com: invalid_target');
  });

  it('answers an API-key caller with a clear tool error: there is no user token to exchange', async () => {
    const robot = await connectClient(mcpUrl, { headers: { 'x-api-key': apiKey.key } });
    const { tokenExchanges: before } = await as.stats();
    try {
      const result = await robot.client.callTool({ name: 'listOrders', arguments: {} });

      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        `Cannot call ${ORDERS_AUDIENCE} on behalf of the user: the caller authenticated with an API key, which carries no user token to exchange; call with an OAuth access token`,
      );
      expect((await as.stats()).tokenExchanges).toBe(before);
    } finally {
      await robot.client.close();
    }
  });

  it('never writes a token or the client secret to its logs, audit trail or metrics', async () => {
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    // Wait for the last call's lines (the audit record is written after the answer).
    await waitFor(() => platform!.output().includes('listInvoices'), 5_000, 'the audit line of the last call');
    const output = platform!.output();
    expect(output).toContain('"msg":"request completed"');
    const secrets = [...new Set([...orders.tokens, ...oauth.saved.map((tokens) => tokens.access_token), PLATFORM_CLIENT.secret, apiKey.key])];
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    // Named by their first characters only: a failure must not print them in full either.
    const found = (text: string) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 8)}…`);
    expect(found(output)).toEqual([]);
    expect(found(metrics)).toEqual([]);
  });
});
