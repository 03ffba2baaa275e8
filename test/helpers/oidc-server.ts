// A real OAuth 2.1 / OpenID Connect authorization server (oidc-provider) for the OAuth suites,
// run as a child process by test/helpers/oidc.ts: Node runs this file itself (type stripping;
// oidc-provider is an ES module, which Jest's module registry cannot load). Consent is
// auto-approved here instead of oidc-provider's development login pages; the parent rotates the
// signing keys, changes who logs in and reads request counts over the IPC channel. Token
// exchange (RFC 8693) is a grant type registered here: oidc-provider has none of its own.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import Provider, { errors } from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

export interface OidcServerOptions {
  /** Pre-registered clients (oidc-provider client metadata), e.g. for client credentials and introspection. */
  clients: Array<Record<string, unknown>>;
  /** The resource server's scopes (the MCP server's `scopes_supported`). */
  scopes: string[];
  /** Access tokens as JWTs (RFC 9068) or opaque handles (checked by introspection). */
  tokenFormat: 'jwt' | 'opaque';
  accessTokenTtlSeconds: number;
  /** Issue refresh tokens to clients registered for the `refresh_token` grant. */
  refreshTokens: boolean;
  /** Extra claims of the access tokens, by account id or (client credentials) client id. */
  claims: Record<string, Record<string, unknown>>;
  /** Who logs in at the authorization endpoint. */
  account: string;
  /** What consent grants of the scopes requested; unset: all of them. */
  grantable?: string[];
  /**
   * Token exchange (RFC 8693): the downstream audiences a client allowed the grant may ask
   * tokens for, each with the scopes it may be granted. Unset: no audience is allowed.
   */
  exchangeAudiences?: Record<string, string[]>;
}

/** What the parent asks for. */
export type OidcRequest =
  { command: 'rotate' } | { command: 'stats' } | { command: 'configure'; settings: Pick<Partial<OidcServerOptions>, 'account' | 'grantable'> };

/** A request from the parent, numbered for its answer. */
export type OidcCommand = OidcRequest & { id: number };

export interface OidcStats {
  jwksRequests: number;
  introspectionRequests: number;
  /** Token-exchange grants answered (issued or refused). */
  tokenExchanges: number;
  /** The `kid` new tokens are signed with. */
  signingKid: string;
}

const OIDC_SCOPES = ['openid', 'offline_access'];
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const options = JSON.parse(process.env.OIDC_SERVER_OPTIONS ?? '{}') as OidcServerOptions;
const settings = { account: options.account, grantable: options.grantable };
const stats = { jwksRequests: 0, introspectionRequests: 0, tokenExchanges: 0 };
let keys = [signingKey()];
let provider: Provider;
let handle: (req: IncomingMessage, res: ServerResponse) => void;

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function build(issuer: string): void {
  provider = new Provider(issuer, {
    clients: options.clients,
    // The first key signs; the others are still published, so tokens signed before a rotation stay valid.
    jwks: { keys },
    cookies: { keys: ['oidc-test-cookie-secret'] },
    scopes: [...OIDC_SCOPES, ...options.scopes],
    findAccount: async (_ctx: unknown, accountId: string) => ({ accountId, claims: async () => ({ sub: accountId }) }),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => ({
          scope: options.scopes.join(' '),
          audience: resource,
          accessTokenTTL: options.accessTokenTtlSeconds,
          accessTokenFormat: options.tokenFormat,
          ...(options.tokenFormat === 'jwt' && { jwt: { sign: { alg: 'RS256' } } }),
        }),
      },
    },
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(grant: string): boolean }) =>
      options.refreshTokens && client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    extraTokenClaims: async (_ctx: unknown, token: { accountId?: string; clientId?: string; gty?: string }) => {
      const claims = options.claims[token.accountId ?? token.clientId ?? ''];
      // RFC 8693 §4.1: an exchanged token names the client acting for the subject.
      if (token.gty === TOKEN_EXCHANGE_GRANT) return { ...claims, act: { sub: token.clientId } };
      return claims ?? undefined;
    },
    ttl: { AccessToken: options.accessTokenTtlSeconds, ClientCredentials: options.accessTokenTtlSeconds },
  });
  // oidc-provider reports client errors (bad grants, refused tokens) as events; the tests assert on the responses.
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, exchange, [
    'subject_token',
    'subject_token_type',
    'requested_token_type',
    'audience',
    'resource',
    'scope',
  ]);
  handle = provider.callback();
}

/**
 * The token-exchange grant (RFC 8693): the subject token must be an access token this server
 * signed (checked with its own keys, its issuer, its expiry); the token issued is a JWT access
 * token of the provider's own model for the requested audience, with the subject's `sub`, the
 * exchanging client as `client_id` and `act`, and the requested scopes an audience may have.
 */
async function exchange(ctx: KoaContextWithOIDC): Promise<void> {
  stats.tokenExchanges += 1;
  const params = ctx.oidc.params as Record<string, string | undefined>;
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest('subject_token_type must be an access token');
  if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest('only access tokens are issued');
  }
  if (!params.subject_token) throw new errors.InvalidRequest('missing subject_token');
  const publicKeys = keys.map(({ d, p, q, dp, dq, qi, ...publicPart }) => publicPart) as JSONWebKeySet['keys'];
  let subject: string;
  try {
    const { payload } = await jwtVerify(params.subject_token, createLocalJWKSet({ keys: publicKeys }), { issuer: provider.issuer });
    if (typeof payload.sub !== 'string') throw new Error('no sub');
    subject = payload.sub;
  } catch {
    throw new errors.InvalidGrant('subject_token is not a valid access token of this server');
  }
  const audience = params.audience ?? params.resource;
  const allowed = audience === undefined ? undefined : options.exchangeAudiences?.[audience];
  if (!allowed) throw new errors.InvalidTarget('this audience may not be asked for');
  const requested = (params.scope ?? '').split(' ').filter(Boolean);
  const refused = requested.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) throw new errors.InvalidScope('scope not allowed for this audience', refused.join(' '));
  const token = new provider.AccessToken({
    accountId: subject,
    client: ctx.oidc.client,
    gty: TOKEN_EXCHANGE_GRANT,
    ...(requested.length > 0 && { scope: requested.join(' ') }),
  });
  token.resourceServer = {
    identifier: () => audience,
    audience,
    scope: allowed.join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: options.accessTokenTtlSeconds,
    jwt: { sign: { alg: 'RS256' } },
  };
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: token.expiration,
    ...(token.scope && { scope: token.scope }),
  };
}

/** Consent auto-approved: the configured account logs in and is granted what it may be (the rest is refused, not asked again). */
async function approve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { params } = await provider.interactionDetails(req, res);
  const requested = String(params.scope ?? '')
    .split(' ')
    .filter(Boolean);
  const granted = settings.grantable ? requested.filter((scope) => settings.grantable!.includes(scope)) : requested;
  const refused = requested.filter((scope) => !granted.includes(scope));
  const grant = new provider.Grant({ accountId: settings.account, clientId: String(params.client_id) });
  // oidc-provider counts every configured scope as an OpenID scope as well; the resource's are granted per resource too.
  if (granted.length > 0) grant.addOIDCScope(granted.join(' '));
  if (refused.length > 0) grant.rejectOIDCScope(refused.join(' '));
  for (const resource of [params.resource].flat().filter((value): value is string => typeof value === 'string')) {
    const resourceGranted = granted.filter((scope) => options.scopes.includes(scope));
    const resourceRefused = refused.filter((scope) => options.scopes.includes(scope));
    if (resourceGranted.length > 0) grant.addResourceScope(resource, resourceGranted.join(' '));
    if (resourceRefused.length > 0) grant.rejectResourceScope(resource, resourceRefused.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: settings.account }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

const server = createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/jwks') stats.jwksRequests += 1;
  if (path === '/token/introspection') stats.introspectionRequests += 1;
  if (req.method === 'GET' && path.startsWith('/interaction/')) {
    approve(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error.message);
    });
    return;
  }
  handle(req, res);
});

process.on('message', (message: OidcCommand) => {
  let result: unknown;
  if (message.command === 'rotate') {
    // A new key signs from now on; the old one stays published (as identity providers do).
    keys = [signingKey(), ...keys];
    build(provider.issuer);
    result = { signingKid: keys[0].kid };
  } else if (message.command === 'configure') {
    Object.assign(settings, message.settings);
    result = { ...settings };
  } else {
    const current: OidcStats = { ...stats, signingKid: String(keys[0].kid) };
    result = current;
  }
  process.send!({ id: message.id, result });
});
// The parent went away (a crashed test run): leave with it.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  build(issuer);
  process.send!({ ready: true, issuer });
});
