import { errors, exportJWK, generateKeyPair, SignJWT, jwtVerify } from 'jose';
import type { JWK } from 'jose';
import { IssuerUnavailableError } from './auth.exception';
import { JwksKeySource } from './jwks.key-source';

const COOLDOWN_MS = 150;
const URL_ = new URL('https://idp.example.com/jwks');

interface SigningKey {
  kid: string;
  jwk: JWK;
  sign(): Promise<string>;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, jwk, sign: () => new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid }).setExpirationTime('5m').sign(privateKey) };
}

/** An issuer's JWKS endpoint whose key set the test changes, counting fetches. */
function jwksEndpoint(keys: () => JWK[]) {
  const fetch = jest.fn(async () => new Response(JSON.stringify({ keys: keys() }), { status: 200, headers: { 'content-type': 'application/json' } }));
  return fetch as unknown as typeof globalThis.fetch & jest.Mock;
}

describe(JwksKeySource.name, () => {
  let old: SigningKey;
  let rotated: SigningKey;
  let published: JWK[];
  let fetch: typeof globalThis.fetch & jest.Mock;
  let sut: JwksKeySource;

  beforeEach(async () => {
    [old, rotated] = await Promise.all([signingKey('old'), signingKey('new')]);
    published = [old.jwk];
    fetch = jwksEndpoint(() => published);
    sut = new JwksKeySource(URL_, { cooldownMs: COOLDOWN_MS, cacheMaxAgeMs: 60_000, fetch });
  });

  it('verifies with a published key, fetching the set once', async () => {
    await jwtVerify(await old.sign(), sut.getKey);
    await jwtVerify(await old.sign(), sut.getKey);

    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('accepts a key rotated in right after a fetch: the token waits for the cool-down, then for one fetch', async () => {
    await jwtVerify(await old.sign(), sut.getKey);
    published = [rotated.jwk, old.jwk];
    const started = Date.now();

    await expect(jwtVerify(await rotated.sign(), sut.getKey)).resolves.toBeDefined();

    expect(Date.now() - started).toBeGreaterThanOrEqual(COOLDOWN_MS - 20);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('refuses a flood of unknown kids after the cool-down with one fetch for all of them', async () => {
    await jwtVerify(await old.sign(), sut.getKey);
    const forged = await Promise.all(Array.from({ length: 50 }, (_, index) => signingKey(`forged-${index}`)));

    const results = await Promise.allSettled(forged.map(async (key) => jwtVerify(await key.sign(), sut.getKey)));

    expect(results.every((result) => result.status === 'rejected' && result.reason instanceof errors.JWKSNoMatchingKey)).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('fetches again at once for an unknown kid once the cool-down has passed', async () => {
    await jwtVerify(await old.sign(), sut.getKey);
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 10));
    published = [rotated.jwk, old.jwk];
    const started = Date.now();

    await jwtVerify(await rotated.sign(), sut.getKey);

    expect(Date.now() - started).toBeLessThan(COOLDOWN_MS);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('keeps verifying with the keys it has while the issuer is down, without asking it on every request', async () => {
    const outage = jwksEndpoint(() => published);
    const flaky = new JwksKeySource(URL_, { cooldownMs: 0, cacheMaxAgeMs: 1, fetch: outage });
    await jwtVerify(await old.sign(), flaky.getKey);
    outage.mockRejectedValue(new TypeError('fetch failed'));
    await new Promise((resolve) => setTimeout(resolve, 5));

    await expect(jwtVerify(await old.sign(), flaky.getKey)).resolves.toBeDefined();
    await expect(jwtVerify(await old.sign(), flaky.getKey)).resolves.toBeDefined();

    expect(outage).toHaveBeenCalledTimes(2);
  });

  it('reports an unreachable endpoint or one answering other than 200 as the issuer being unavailable', async () => {
    const down = new JwksKeySource(URL_, { cooldownMs: 0, cacheMaxAgeMs: 60_000, fetch: jest.fn().mockRejectedValue(new TypeError('fetch failed')) });
    const failing = new JwksKeySource(URL_, {
      cooldownMs: 0,
      cacheMaxAgeMs: 60_000,
      fetch: jest.fn().mockResolvedValue(new Response('no', { status: 502 })),
    });

    await expect(jwtVerify(await old.sign(), down.getKey)).rejects.toBeInstanceOf(IssuerUnavailableError);
    await expect(jwtVerify(await old.sign(), failing.getKey)).rejects.toThrow('answered HTTP 502');
  });
});
