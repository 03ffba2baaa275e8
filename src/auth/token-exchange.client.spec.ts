import type { TokenExchangeConfig } from '../config/auth-config';
import { McpToolError } from '../mcp/mcp.exception';
import { ACCESS_TOKEN_TYPE, ExchangeSubject, TOKEN_EXCHANGE_GRANT, TokenExchangeClient } from './token-exchange.client';

const ENDPOINT = 'https://idp.example.com/token';
const ORDERS = { audience: 'https://orders.example.com', scopes: ['orders:read'] };

describe(TokenExchangeClient.name, () => {
  let now: number;
  let issued: number;
  let answer: (body: URLSearchParams) => { status: number; body: unknown };
  let fetch: jest.Mock;
  const subject = (token = 'subject-token-of-alice', expiresAt?: number): ExchangeSubject => ({
    token,
    principalId: 'jwt:alice',
    ...(expiresAt !== undefined && { expiresAt }),
  });

  function clientWith(config: Partial<TokenExchangeConfig> = {}): TokenExchangeClient {
    return new TokenExchangeClient(
      { clientId: 'mcp platform', clientSecret: 's3cr:t', ...config },
      { endpoint: async () => ENDPOINT, fetch: fetch as unknown as typeof globalThis.fetch, now: () => now },
    );
  }

  beforeEach(() => {
    now = 1_000_000_000_000;
    issued = 0;
    answer = () => ({ status: 200, body: { access_token: `exchanged-${++issued}`, token_type: 'Bearer', expires_in: 300 } });
    fetch = jest.fn(async (_url: string, init: RequestInit) => {
      const { status, body } = answer(new URLSearchParams(String(init.body)));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    });
  });

  it('sends the caller’s token as an RFC 8693 subject token, with the audience and scopes, as the platform’s client', async () => {
    await expect(clientWith().exchange(subject(), { ...ORDERS, resource: 'https://orders.example.com/v1', scopes: ['b', 'a'] })).resolves.toBe(
      'exchanged-1',
    );

    const [url, init] = fetch.mock.calls[0] as [string, RequestInit & { headers: Record<string, string> }];
    expect(url).toBe(ENDPOINT);
    expect(init.method).toBe('POST');
    expect(init.headers.authorization).toBe(`Basic ${Buffer.from('mcp%20platform:s3cr%3At').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(String(init.body)))).toEqual({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: 'subject-token-of-alice',
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      audience: 'https://orders.example.com',
      resource: 'https://orders.example.com/v1',
      scope: 'a b',
    });
  });

  it('authenticates in the body with client_secret_post, and sends the configured subject token type', async () => {
    await clientWith({ clientAuthMethod: 'client_secret_post', subjectTokenType: 'urn:acme:mcp-token' }).exchange(subject(), ORDERS);

    const [, init] = fetch.mock.calls[0] as [string, RequestInit & { headers: Record<string, string> }];
    expect(init.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(String(init.body)))).toMatchObject({
      client_id: 'mcp platform',
      client_secret: 's3cr:t',
      subject_token_type: 'urn:acme:mcp-token',
    });
  });

  it('reuses a token until shortly before it expires', async () => {
    const sut = clientWith();
    await sut.exchange(subject(), ORDERS);

    now += 269_000;
    await expect(sut.exchange(subject(), ORDERS)).resolves.toBe('exchanged-1');
    now += 2_000; // 29 s left of 300: past the 30 s margin
    await expect(sut.exchange(subject(), ORDERS)).resolves.toBe('exchanged-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('keeps a short-lived token for nine tenths of its life', async () => {
    answer = () => ({ status: 200, body: { access_token: `exchanged-${++issued}`, expires_in: 10 } });
    const sut = clientWith();
    await sut.exchange(subject(), ORDERS);

    now += 8_900;
    await expect(sut.exchange(subject(), ORDERS)).resolves.toBe('exchanged-1');
    now += 200;
    await expect(sut.exchange(subject(), ORDERS)).resolves.toBe('exchanged-2');
  });

  it('keeps no token past the caller’s own token', async () => {
    const sut = clientWith();
    await sut.exchange(subject('short-lived', now / 1000 + 5), ORDERS);

    now += 6_000;
    await expect(sut.exchange(subject('short-lived', now / 1000 - 1), ORDERS)).resolves.toBe('exchanged-2');
  });

  it('keeps a token per caller token, audience and scopes', async () => {
    const sut = clientWith();
    const tokens = [
      await sut.exchange(subject('token-a'), ORDERS),
      await sut.exchange(subject('token-b'), ORDERS),
      await sut.exchange(subject('token-a'), { ...ORDERS, audience: 'https://invoices.example.com' }),
      await sut.exchange(subject('token-a'), { ...ORDERS, scopes: ['orders:read', 'orders:write'] }),
      await sut.exchange(subject('token-a'), { ...ORDERS, scopes: ['orders:read', 'orders:read'] }),
    ];

    expect(tokens).toEqual(['exchanged-1', 'exchanged-2', 'exchanged-3', 'exchanged-4', 'exchanged-1']);
  });

  it('asks once for concurrent calls of one caller', async () => {
    const sut = clientWith();

    const tokens = await Promise.all([1, 2, 3].map(() => sut.exchange(subject(), ORDERS)));

    expect(tokens).toEqual(['exchanged-1', 'exchanged-1', 'exchanged-1']);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('keeps at most cacheMaxEntries tokens, dropping the oldest', async () => {
    const sut = clientWith({ cacheMaxEntries: 2 });
    await sut.exchange(subject('token-a'), ORDERS);
    await sut.exchange(subject('token-b'), ORDERS);
    await sut.exchange(subject('token-c'), ORDERS);

    expect(sut.size).toBe(2);
    await expect(sut.exchange(subject('token-a'), ORDERS)).resolves.toBe('exchanged-4');
    await expect(sut.exchange(subject('token-c'), ORDERS)).resolves.toBe('exchanged-3');
  });

  it('keeps no token whose lifetime it does not know', async () => {
    answer = () => ({ status: 200, body: { access_token: `opaque-${++issued}` } });
    const sut = clientWith();
    await sut.exchange(subject(), ORDERS);

    await expect(sut.exchange(subject(), ORDERS)).resolves.toBe('opaque-2');
  });

  it('reports a refusal with the OAuth error code and description, never the caller’s token', async () => {
    answer = (body) => ({ status: 400, body: { error: 'invalid_target', error_description: `unknown audience for ${body.get('subject_token')}` } });

    const failure = await clientWith()
      .exchange(subject(), ORDERS)
      .catch((error: Error) => error);

    expect(failure).toBeInstanceOf(McpToolError);
    expect((failure as Error).message).toBe(
      'The authorization server refused the token exchange for https://orders.example.com: invalid_target (unknown audience for [token])',
    );
  });

  it('asks again after a refusal', async () => {
    answer = () => ({ status: 400, body: { error: 'invalid_grant' } });
    const sut = clientWith();
    await expect(sut.exchange(subject(), ORDERS)).rejects.toThrow('invalid_grant');

    answer = () => ({ status: 200, body: { access_token: 'exchanged', expires_in: 300 } });
    await expect(sut.exchange(subject(), ORDERS)).resolves.toBe('exchanged');
  });

  it('reports an endpoint that cannot be reached, or answers without an OAuth error or a token', async () => {
    fetch.mockRejectedValueOnce(new TypeError('fetch failed'));
    await expect(clientWith().exchange(subject(), ORDERS)).rejects.toThrow(
      `Token exchange for https://orders.example.com failed: ${ENDPOINT}: fetch failed`,
    );
    answer = () => ({ status: 502, body: 'bad gateway' });
    await expect(clientWith().exchange(subject(), ORDERS)).rejects.toThrow(`${ENDPOINT} answered HTTP 502`);
    answer = () => ({ status: 200, body: { token_type: 'Bearer' } });
    await expect(clientWith().exchange(subject(), ORDERS)).rejects.toThrow(`${ENDPOINT} answered no access_token`);
  });
});
