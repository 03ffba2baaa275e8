import type { McpRequestContext } from '../mcp/interfaces/mcp-context.interface';
import { McpToolError } from '../mcp/mcp.exception';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { Principal } from './principal.interface';
import { holdSubjectToken } from './subject-token.holder';
import { TokenExchangeService } from './token-exchange.service';

const ISSUER = 'https://login.example.com';
const ACME_ISSUER = 'https://acme.example.com';
const GLOBEX_ISSUER = 'https://globex.example.com';
const ORDERS = { audience: 'https://orders.example.com', scopes: ['orders:read'] };

function requestOf(principal: Principal | undefined): McpRequestContext {
  return { requestId: 'r-1', headers: {}, nodeId: 'n-1', receivedAt: 0, ...(principal && { principal }) };
}

function oauthPrincipal(issuer: string, token?: string): Principal {
  const principal: Principal = {
    id: 'jwt:alice',
    kind: 'jwt',
    userId: 'alice',
    permissions: [],
    oauth: { issuer, scopes: ['mcp:orders'], resource: 'https://mcp.example.com/mcp', expiresAt: Math.floor(Date.now() / 1000) + 300 },
  };
  if (token !== undefined) holdSubjectToken(principal, token);
  return principal;
}

describe(TokenExchangeService.name, () => {
  const options: AuthModuleOptions = {
    jwt: { issuer: ISSUER, secret: 'x'.repeat(32), tokenExchange: { tokenEndpoint: `${ISSUER}/token`, clientId: 'mcp', clientSecret: 'secret' } },
    tenants: {
      acme: { jwt: { issuer: ACME_ISSUER, tokenExchange: { clientId: 'mcp-acme', clientSecret: 'acme-secret' } } },
      globex: { jwt: { issuer: GLOBEX_ISSUER } },
    },
  };
  let sut: TokenExchangeService;
  let fetch: jest.SpyInstance;

  beforeEach(() => {
    fetch = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = String(input);
      if (url === `${ACME_ISSUER}/.well-known/openid-configuration`) {
        return Response.json({ issuer: ACME_ISSUER, token_endpoint: `${ACME_ISSUER}/oauth/token` });
      }
      return Response.json({ access_token: `for-${url}`, expires_in: 300 });
    });
    sut = new TokenExchangeService(options);
  });

  afterEach(() => jest.restoreAllMocks());

  it('exchanges the caller’s token at the configured token endpoint', async () => {
    await expect(sut.tokenFor(requestOf(oauthPrincipal(ISSUER, 'alice-token')), ORDERS)).resolves.toBe(`for-${ISSUER}/token`);

    expect(new URLSearchParams(String(fetch.mock.calls[0][1].body)).get('subject_token')).toBe('alice-token');
  });

  it('exchanges a tenant issuer’s token at that issuer’s token endpoint, from its discovery document', async () => {
    await expect(sut.tokenFor(requestOf(oauthPrincipal(ACME_ISSUER, 'acme-token')), ORDERS)).resolves.toBe(`for-${ACME_ISSUER}/oauth/token`);
  });

  it.each([
    [
      'an API key',
      { id: 'ci', kind: 'api-key', permissions: ['*'] } as Principal,
      'the caller authenticated with an API key, which carries no user token',
    ],
    ['an anonymous caller', { id: 'anonymous', kind: 'anonymous', permissions: ['*'] } as Principal, 'the caller is anonymous'],
    ['no caller at all', undefined, 'the caller is anonymous'],
    ['a token principal whose token was not kept', oauthPrincipal(ISSUER), 'no OAuth access token of the caller was kept'],
  ])('refuses %s with a tool error', async (_what, principal, message) => {
    const failure = await sut.tokenFor(requestOf(principal), ORDERS).catch((error: Error) => error);

    expect(failure).toBeInstanceOf(McpToolError);
    expect((failure as Error).message).toContain(`Cannot call https://orders.example.com on behalf of the user: ${message}`);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('names the key to set when the caller’s issuer has no token exchange configured', async () => {
    await expect(sut.tokenFor(requestOf(oauthPrincipal(GLOBEX_ISSUER, 'globex-token')), ORDERS)).rejects.toThrow(
      'token exchange is not configured (tenants.globex.jwt.tokenExchange)',
    );
    sut = new TokenExchangeService({ jwt: { issuer: ISSUER } });
    await expect(sut.tokenFor(requestOf(oauthPrincipal(ISSUER, 'alice-token')), ORDERS)).rejects.toThrow(
      'token exchange is not configured (auth.jwt.tokenExchange)',
    );
  });

  it('reports an issuer whose discovery document cannot be read', async () => {
    fetch.mockRejectedValue(new TypeError('fetch failed'));

    await expect(sut.tokenFor(requestOf(oauthPrincipal(ACME_ISSUER, 'acme-token')), ORDERS)).rejects.toThrow(
      /^Token exchange for https:\/\/orders\.example\.com failed: issuer https:\/\/acme\.example\.com unreachable/,
    );
  });
});
