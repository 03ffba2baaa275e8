import { ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { OidcRequest, OidcServerOptions, OidcStats } from './oidc-server';

/** The scopes of the test authorization server's resource, and what the platform maps them to. */
export const MCP_SCOPES: Record<string, string[]> = {
  'mcp:calculator': ['calculator:*'],
  'mcp:diagnostics': ['diagnostics:*'],
  'mcp:examples': ['examples:*'],
};

/** A client registered for the client-credentials grant (machines). */
export interface TestClient {
  id: string;
  secret: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
}

/** A running oidc-provider in a child process, on a free loopback port. */
export interface AuthorizationServer {
  /** `http://127.0.0.1:<port>`, its issuer identifier. */
  readonly issuer: string;
  /** Publishes a new signing key and signs with it from now on (the old one stays published); resolves with its `kid`. */
  rotateKeys(): Promise<string>;
  /** JWKS, introspection and token-exchange requests served so far, and the signing key's `kid`. */
  stats(): Promise<OidcStats>;
  /** Who logs in at the authorization endpoint, and which requested scopes consent grants. */
  configure(settings: { account?: string; grantable?: string[] }): Promise<void>;
  /** A client-credentials token for `resource` (RFC 8707), asked for over HTTP like any client does. */
  clientCredentials(client: TestClient, options: { resource: string; scope: string }): Promise<TokenResponse>;
  /** Revokes a token (RFC 7009) as the client it was issued to. */
  revoke(token: string, client: TestClient): Promise<void>;
  stop(): Promise<void>;
}

const SERVER_SCRIPT = resolve(__dirname, 'oidc-server.ts');

/** The client metadata of a confidential client allowed the client-credentials grant only. */
export function machineClient(client: TestClient, scopes: string[] = Object.keys(MCP_SCOPES)): Record<string, unknown> {
  return {
    client_id: client.id,
    client_secret: client.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    ...(scopes.length > 0 && { scope: scopes.join(' ') }),
  };
}

/** The grant type of OAuth 2.0 token exchange (RFC 8693). */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The client metadata of a confidential client allowed token exchange only (a resource server calling APIs as its callers). */
export function exchangingClient(client: TestClient): Record<string, unknown> {
  return {
    client_id: client.id,
    client_secret: client.secret,
    grant_types: [TOKEN_EXCHANGE_GRANT],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/**
 * Starts oidc-provider (a certified OpenID Connect / OAuth 2 server) as the authorization server
 * of a test: resource indicators (audience-bound JWT or opaque access tokens), dynamic client
 * registration, client credentials, introspection, revocation and token exchange (RFC 8693, for
 * `exchangeAudiences`) on, consent auto-approved.
 * Stop it in `afterAll`.
 */
export async function startAuthorizationServer(options: Partial<OidcServerOptions> = {}): Promise<AuthorizationServer> {
  const settings: OidcServerOptions = {
    clients: [],
    scopes: Object.keys(MCP_SCOPES),
    tokenFormat: 'jwt',
    accessTokenTtlSeconds: 300,
    refreshTokens: true,
    claims: {},
    account: 'alice',
    ...options,
  };
  const child = fork(SERVER_SCRIPT, [], {
    env: { ...process.env, OIDC_SERVER_OPTIONS: JSON.stringify(settings) },
    // Node runs the TypeScript file itself; the package is CommonJS, the file an ES module.
    execArgv: ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const issuer = await new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc-provider did not start:\n${output}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`oidc-provider exited (${code}):\n${output}`)));
    child.on('message', (message: { ready?: boolean; issuer?: string }) => {
      if (!message.ready) return;
      clearTimeout(timer);
      resolveReady(message.issuer!);
    });
  });
  const ask = commander(child);
  const tokenRequest = async (client: TestClient, body: Record<string, string>, path: string): Promise<Response> =>
    fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(body),
    });

  return {
    issuer,
    rotateKeys: async () => ((await ask({ command: 'rotate' })) as { signingKid: string }).signingKid,
    stats: async () => (await ask({ command: 'stats' })) as OidcStats,
    configure: async (update) => void (await ask({ command: 'configure', settings: update })),
    clientCredentials: async (client, { resource, scope }) => {
      const response = await tokenRequest(client, { grant_type: 'client_credentials', resource, scope }, '/token');
      if (!response.ok) throw new Error(`token request refused: ${response.status} ${await response.text()}`);
      return (await response.json()) as TokenResponse;
    },
    revoke: async (token, client) => {
      const response = await tokenRequest(client, { token }, '/token/revocation');
      if (!response.ok) throw new Error(`revocation refused: ${response.status} ${await response.text()}`);
      await response.text();
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Request/answer over the child's IPC channel. */
function commander(child: ChildProcess): (request: OidcRequest) => Promise<unknown> {
  let next = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  child.on('message', (message: { id?: number; result?: unknown }) => {
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
    waiting.delete(message.id!);
  });
  return (request) =>
    new Promise((answered) => {
      const id = next++;
      waiting.set(id, answered);
      child.send({ ...request, id });
    });
}

/** A token's claims, read without checking it (to look at what the authorization server issued). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A real token with its header changed (its signature no longer matches): what a forger sends. */
export function withHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = token.split('.');
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
}
