import { createHash } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { Authentication, AuthenticationTarget } from './credential-verifier.interface';
import { ConfiguredCredentialVerifier } from './credential.verifier';
import { subjectTokenOf } from './subject-token.holder';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const ACME_SECRET = 'acme-shared-secret-of-at-least-32-chars!';
const ISSUER = 'https://login.example.com';
const ACME_ISSUER = 'https://acme.example.com';
const BASE = 'https://mcp.example.com/mcp';
const ACME_RESOURCE = 'https://mcp.example.com/tenants/acme/mcp';
const ON_BASE: AuthenticationTarget = { resource: BASE, baseResource: BASE };
const ON_ACME: AuthenticationTarget = { resource: ACME_RESOURCE, baseResource: BASE, pathTenantId: 'acme' };

const SCOPES = { 'mcp:calculator': ['calculator:*'], 'mcp:diagnostics': ['diagnostics:*'] };
const API_KEY = 'mcp_the-one-api-key-of-this-test-0123456789';

interface Claims {
  iss?: string;
  aud?: string;
  exp?: number | string;
  secret?: string;
  [claim: string]: unknown;
}

function token({ iss = ISSUER, aud = BASE, exp = '5m', secret = SECRET, ...claims }: Claims = {}): Promise<string> {
  return new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(iss)
    .setAudience(aud)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

function principalOf(result: Authentication) {
  if (result.outcome !== 'authenticated') throw new Error(`expected authenticated, got ${JSON.stringify(result)}`);
  return result.principal;
}

describe(ConfiguredCredentialVerifier.name, () => {
  const options: AuthModuleOptions = {
    apiKeys: [{ id: 'ci', hash: `sha256:${createHash('sha256').update(API_KEY).digest('hex')}`, permissions: ['*'] }],
    jwt: { issuer: ISSUER, secret: SECRET, scopes: SCOPES, clockToleranceSeconds: 0 },
    tenants: { acme: { jwt: { issuer: ACME_ISSUER, secret: ACME_SECRET, scopeClaim: 'scp' } } },
  };
  let sut: ConfiguredCredentialVerifier;

  beforeEach(() => {
    sut = new ConfiguredCredentialVerifier(options);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('audience (RFC 8707)', () => {
    it('accepts a token for this server’s resource URL', async () => {
      expect(principalOf(await sut.authenticate(bearer(await token()), ON_BASE)).id).toBe('jwt:alice');
    });

    it('refuses a token for another resource', async () => {
      await expect(sut.authenticate(bearer(await token({ aud: 'https://other.example.com/mcp' })), ON_BASE)).resolves.toMatchObject({
        outcome: 'invalid',
        reason: expect.stringContaining('"aud"'),
      });
    });

    it('accepts on a tenant’s path a token for the tenant’s resource or for the server, and not the other way round', async () => {
      expect(principalOf(await sut.authenticate(bearer(await token({ aud: BASE })), ON_ACME))).toBeDefined();
      expect(principalOf(await sut.authenticate(bearer(await token({ aud: ACME_RESOURCE })), ON_ACME))).toBeDefined();
      await expect(sut.authenticate(bearer(await token({ aud: ACME_RESOURCE })), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid' });
    });

    it('takes the configured audience instead, and refuses when there is neither audience nor resource to check', async () => {
      const withAudience = new ConfiguredCredentialVerifier({ jwt: { issuer: ISSUER, secret: SECRET, audience: 'api://mcp' } });

      expect(principalOf(await withAudience.authenticate(bearer(await token({ aud: 'api://mcp' })), ON_BASE))).toBeDefined();
      expect(principalOf(await withAudience.authenticate(bearer(await token({ aud: 'api://mcp' })))).oauth?.resource).toBe('api://mcp');
      await expect(withAudience.authenticate(bearer(await token()), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid' });
      await expect(sut.authenticate(bearer(await token()))).resolves.toMatchObject({ outcome: 'invalid', reason: expect.stringContaining('audience') });
    });
  });

  describe('signature, algorithm and lifetime', () => {
    it('refuses alg "none" and an algorithm outside the allow-list', async () => {
      const { publicKey } = await generateKeyPair('RS256');
      const rsa = new ConfiguredCredentialVerifier({ jwt: { issuer: ISSUER, publicKey: await exportSPKI(publicKey) } });
      const [, payload] = (await token()).split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;

      await expect(rsa.authenticate(bearer(await token()), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid' });
      await expect(sut.authenticate(bearer(none), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid' });
    });

    it('allows clockToleranceSeconds of skew on exp', async () => {
      const tenSecondsAgo = Math.floor(Date.now() / 1000) - 10;
      const lenient = new ConfiguredCredentialVerifier({ jwt: { issuer: ISSUER, secret: SECRET, clockToleranceSeconds: 30 } });

      expect(principalOf(await lenient.authenticate(bearer(await token({ exp: tenSecondsAgo })), ON_BASE))).toBeDefined();
      await expect(sut.authenticate(bearer(await token({ exp: tenSecondsAgo })), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid', expired: true });
    });

    it('refuses a token from an issuer it does not know, and a malformed one', async () => {
      await expect(sut.authenticate(bearer(await token({ iss: 'https://evil.example.com' })), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid' });
      await expect(sut.authenticate(bearer('a.b.c'), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid', reason: 'malformed token' });
    });
  });

  describe('principal', () => {
    it('grants the permissions claim and what the scopes map to, and keeps the OAuth grant', async () => {
      const principal = principalOf(
        await sut.authenticate(bearer(await token({ scope: 'mcp:calculator openid', permissions: ['examples:*'], tenant: 'initech' })), ON_BASE),
      );

      expect(principal).toEqual({
        id: 'jwt:alice',
        kind: 'jwt',
        userId: 'alice',
        tenantId: 'initech',
        permissions: ['examples:*', 'calculator:*'],
        oauth: { issuer: ISSUER, scopes: ['mcp:calculator', 'openid'], resource: BASE, expiresAt: expect.any(Number) },
      });
    });

    it('binds a tenant’s own issuer’s tokens to that tenant, whatever they claim, with the server’s scope map by default', async () => {
      const acme = await token({ iss: ACME_ISSUER, secret: ACME_SECRET, aud: ACME_RESOURCE, tenant: 'globex', scp: ['mcp:diagnostics'] });

      expect(principalOf(await sut.authenticate(bearer(acme), ON_ACME))).toMatchObject({
        id: 'jwt:acme:alice',
        tenantId: 'acme',
        permissions: ['diagnostics:*'],
      });
    });

    it('refuses one issuer configured twice, naming both places', () => {
      expect(() => new ConfiguredCredentialVerifier({ jwt: { issuer: ISSUER, secret: SECRET }, tenants: { acme: { jwt: { issuer: ISSUER } } } })).toThrow(
        'tenants.acme.jwt.issuer: https://login.example.com is already the issuer of auth.jwt',
      );
    });
  });

  describe('opaque tokens', () => {
    const introspecting: AuthModuleOptions = {
      apiKeys: options.apiKeys,
      jwt: { issuer: ISSUER, introspection: { url: `${ISSUER}/introspect`, clientId: 'mcp', clientSecret: 'secret' } },
      tenants: {
        acme: { jwt: { issuer: ACME_ISSUER, introspection: { url: `${ACME_ISSUER}/introspect`, clientId: 'mcp', clientSecret: 'secret' } } },
        globex: {},
      },
    };

    function introspectionAnswering(answer: Record<string, unknown>): jest.SpyInstance {
      return jest.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(JSON.stringify(answer), { status: 200 }));
    }

    it('introspects at the path’s tenant’s issuer, else at the server’s, never elsewhere', async () => {
      const fetch = introspectionAnswering({ active: true, sub: 'alice', aud: BASE, exp: Math.floor(Date.now() / 1000) + 60 });
      sut = new ConfiguredCredentialVerifier(introspecting);

      expect(principalOf(await sut.authenticate(bearer('opaque-1'), ON_ACME)).tenantId).toBe('acme');
      await sut.authenticate(bearer('opaque-2'), ON_BASE);
      await sut.authenticate(bearer('opaque-3'), { ...ON_BASE, pathTenantId: 'globex' });

      expect(fetch.mock.calls.map(([url]) => String(url))).toEqual([`${ACME_ISSUER}/introspect`, `${ISSUER}/introspect`, `${ISSUER}/introspect`]);
    });

    it('takes a client’s own token (no sub) as its client, and refuses one for another resource or inactive', async () => {
      introspectionAnswering({ active: true, client_id: 'robot', aud: BASE, exp: Math.floor(Date.now() / 1000) + 60, scope: 'mcp:calculator' });
      sut = new ConfiguredCredentialVerifier(introspecting);
      expect(principalOf(await sut.authenticate(bearer('machine'), ON_BASE)).id).toBe('jwt:robot');

      jest.restoreAllMocks();
      introspectionAnswering({ active: true, sub: 'alice', aud: 'https://other.example.com', exp: Math.floor(Date.now() / 1000) + 60 });
      await expect(sut.authenticate(bearer('elsewhere'), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid' });

      jest.restoreAllMocks();
      introspectionAnswering({ active: false });
      await expect(sut.authenticate(bearer('revoked'), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid', reason: 'token is not active' });
    });

    it('never sends an API key (or what looks like one) to introspection', async () => {
      const fetch = introspectionAnswering({ active: true });
      sut = new ConfiguredCredentialVerifier(introspecting);

      expect(principalOf(await sut.authenticate(bearer(API_KEY), ON_BASE)).id).toBe('ci');
      await expect(sut.authenticate(bearer('mcp_not-a-key'), ON_BASE)).resolves.toMatchObject({ outcome: 'invalid', credential: 'api-key' });

      expect(fetch).not.toHaveBeenCalled();
    });

    it('says the issuer is unavailable when introspection cannot be reached', async () => {
      jest.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));
      sut = new ConfiguredCredentialVerifier(introspecting);

      await expect(sut.authenticate(bearer('opaque'), ON_BASE)).resolves.toMatchObject({ outcome: 'unavailable' });
    });
  });

  describe('the caller’s token, for token exchange', () => {
    it('keeps an access token beside its principal, never on it', async () => {
      const jwt = await token();

      const principal = principalOf(await sut.authenticate(bearer(jwt), ON_BASE));

      expect(subjectTokenOf(principal)).toBe(jwt);
      expect(JSON.stringify(principal)).not.toContain(jwt);
      expect(Object.values(principal)).not.toContain(jwt);
    });

    it('keeps no API key', async () => {
      expect(subjectTokenOf(principalOf(await sut.authenticate(bearer(API_KEY), ON_BASE)))).toBeUndefined();
    });
  });
});
