import { IssuerUnavailableError } from './auth.exception';
import { TokenIntrospector, TokenIntrospectorOptions } from './token.introspector';

const ENDPOINT = 'https://idp.example.com/introspect';

describe(TokenIntrospector.name, () => {
  let now: number;
  let answers: Record<string, Record<string, unknown>>;
  let fetch: jest.Mock;

  function introspectorWith(options: Partial<TokenIntrospectorOptions> = {}): TokenIntrospector {
    return new TokenIntrospector(async () => ENDPOINT, {
      clientId: 'mcp platform',
      clientSecret: 's3cr:t',
      cacheSeconds: 60,
      cacheMaxEntries: 100,
      fetch: fetch as unknown as typeof globalThis.fetch,
      now: () => now,
      ...options,
    });
  }

  beforeEach(() => {
    now = 1_000_000_000_000;
    answers = {};
    fetch = jest.fn(async (_url: string, init: RequestInit) => {
      const token = new URLSearchParams(init.body as URLSearchParams).get('token')!;
      return new Response(JSON.stringify(answers[token] ?? { active: false }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
  });

  it('asks with the token, its type hint and the client’s form-encoded Basic credentials', async () => {
    answers.abc = { active: true, sub: 'alice' };

    await expect(introspectorWith().introspect('abc')).resolves.toEqual({ active: true, sub: 'alice' });

    const [url, init] = fetch.mock.calls[0] as [string, RequestInit & { headers: Record<string, string> }];
    expect(url).toBe(ENDPOINT);
    expect(init.headers.authorization).toBe(`Basic ${Buffer.from('mcp%20platform:s3cr%3At').toString('base64')}`);
    expect(String(init.body)).toBe('token=abc&token_type_hint=access_token');
  });

  it('reuses an active answer until the token expires, at most cacheSeconds', async () => {
    const sut = introspectorWith({ cacheSeconds: 60 });
    answers.long = { active: true, exp: now / 1000 + 3600 };
    answers.short = { active: true, exp: now / 1000 + 10 };
    await sut.introspect('long');
    await sut.introspect('short');

    now += 11_000;
    await sut.introspect('long');
    await sut.introspect('short');
    expect(fetch).toHaveBeenCalledTimes(3);

    now += 50_000;
    await sut.introspect('long');
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it('remembers an inactive token as inactive', async () => {
    const sut = introspectorWith();

    await expect(sut.introspect('revoked')).resolves.toBeUndefined();
    await expect(sut.introspect('revoked')).resolves.toBeUndefined();

    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('asks every time with cacheSeconds 0', async () => {
    const sut = introspectorWith({ cacheSeconds: 0 });
    answers.abc = { active: true };

    await sut.introspect('abc');
    await sut.introspect('abc');

    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('asks once for concurrent questions about one token', async () => {
    const sut = introspectorWith();
    answers.abc = { active: true };

    await Promise.all([sut.introspect('abc'), sut.introspect('abc'), sut.introspect('abc')]);

    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('keeps at most cacheMaxEntries answers, dropping the oldest', async () => {
    const sut = introspectorWith({ cacheMaxEntries: 2 });

    for (const token of ['a', 'b', 'c', 'b', 'a']) await sut.introspect(token);

    expect(fetch.mock.calls.map(([, init]) => new URLSearchParams((init as RequestInit).body as URLSearchParams).get('token'))).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('reports an endpoint it cannot reach, or that answers other than 200, as unavailable and remembers nothing', async () => {
    fetch.mockRejectedValueOnce(new TypeError('fetch failed')).mockResolvedValueOnce(new Response('', { status: 401 }));
    const sut = introspectorWith();

    await expect(sut.introspect('abc')).rejects.toBeInstanceOf(IssuerUnavailableError);
    now += 1000;
    await expect(sut.introspect('abc')).rejects.toThrow('answered HTTP 401');
    now += 1000;
    await expect(sut.introspect('abc')).resolves.toBeUndefined();
  });

  it('does not ask an endpoint that just failed again for a second', async () => {
    fetch.mockRejectedValueOnce(new TypeError('fetch failed'));
    const sut = introspectorWith();

    await expect(sut.introspect('a')).rejects.toBeInstanceOf(IssuerUnavailableError);
    await expect(sut.introspect('b')).rejects.toBeInstanceOf(IssuerUnavailableError);
    now += 1000;
    await expect(sut.introspect('b')).resolves.toBeUndefined();

    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
