import { createHash } from 'node:crypto';
import { ExecutionContext, ForbiddenException, HttpException, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SignJWT } from 'jose';
import { DefaultTenantResolver } from '../tenant/tenant.resolver';
import type { TenantResolver } from '../tenant/tenant-resolver.interface';
import { AuthAudit } from './auth.audit';
import { REQUEST_ACCESS } from './auth.constants';
import { AuthenticationRequiredException } from './auth.exception';
import type { AuthModuleOptions } from './auth-module-options.interface';
import { AuthGuard } from './auth.guard';
import { ConfiguredCredentialVerifier } from './credential.verifier';
import type { CredentialVerifier } from './credential-verifier.interface';
import type { RequestAccess } from './principal.interface';
import { ProtectedResource } from './protected-resource.service';
import { Public } from './public.decorator';

// Construction in one place per class: when a constructor changes, only its helper does.

async function verifierWith(options: AuthModuleOptions): Promise<CredentialVerifier> {
  const verifier = new ConfiguredCredentialVerifier(options);
  await verifier.onModuleInit();
  return verifier;
}

/** A guard over the verifier and the protected resource of these options. */
async function guardFor(options: AuthModuleOptions, tenants: TenantResolver | undefined, audit: Partial<AuthAudit>): Promise<AuthGuard> {
  return guardWith(await verifierWith(options), tenants, audit, new ProtectedResource(options));
}

function tenantsWith(options: { trustGatewayHeaders: boolean }): TenantResolver {
  return new DefaultTenantResolver(options);
}

function guardWith(verifier: CredentialVerifier, tenants: TenantResolver | undefined, audit: Partial<AuthAudit>, resource: ProtectedResource): AuthGuard {
  return new AuthGuard(new Reflector(), verifier, tenants, audit as AuthAudit, resource);
}

const ACME_KEY = 'acme-key-0123456789abcdef0123456789';
const ADMIN_KEY = 'admin-key-0123456789abcdef012345678';
const JWT_SECRET = 'a-shared-secret-of-at-least-32-characters';
const ISSUER = 'https://idp.example.com';

const hashOf = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const API_KEYS: AuthModuleOptions['apiKeys'] = [
  { id: 'acme-ci', hash: hashOf(ACME_KEY), tenant: 'acme', permissions: ['calculator:*'] },
  { id: 'admin', hash: hashOf(ADMIN_KEY), permissions: ['*'] },
];

class McpRoutes {
  post(): void {}

  @Public()
  metadata(): void {}
}

interface TestRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  id?: string;
  [REQUEST_ACCESS]?: RequestAccess;
}

/** An HTTP (Express-like) execution context for a request to `McpRoutes.post` unless told otherwise. */
function contextFor(
  request: Partial<TestRequest> = {},
  route: { type?: string; handler?: () => void; target?: object } = {},
  res: object = { header: jest.fn() },
): { context: ExecutionContext; req: TestRequest; res: { header: jest.Mock } } {
  const req: TestRequest = { method: 'POST', url: '/mcp?x=1', id: 'req-1', ...request, headers: { host: 'mcp.example.com', ...request.headers } };
  const context = {
    getType: () => route.type ?? 'http',
    getHandler: () => route.handler ?? McpRoutes.prototype.post,
    getClass: () => route.target ?? McpRoutes,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, req, res: res as { header: jest.Mock } };
}

/** What the guard threw. */
async function refusalOf(sut: AuthGuard, context: ExecutionContext): Promise<HttpException> {
  const error = await sut.canActivate(context).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof HttpException)) throw new Error(`expected an HttpException, got ${String(error)}`);
  return error;
}

/** The resource URL derived for requests to host mcp.example.com: what tokens must be for. */
const RESOURCE = 'http://mcp.example.com/mcp';

function jwt(claims: Record<string, unknown>, expiresIn = '5m', audience: string = RESOURCE): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

describe(AuthGuard.name, () => {
  let audit: { refused: jest.Mock };
  let sut: AuthGuard;

  beforeEach(async () => {
    // The verifier warns at start when authentication is off.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    audit = { refused: jest.fn() };
    sut = await guardFor({ apiKeys: API_KEYS }, tenantsWith({ trustGatewayHeaders: false }), audit);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('routes it lets through', () => {
    it('lets a @Public() route through without credentials', async () => {
      const { context, req } = contextFor({}, { handler: McpRoutes.prototype.metadata });

      await expect(sut.canActivate(context)).resolves.toBe(true);

      expect(req[REQUEST_ACCESS]).toBeUndefined();
    });

    it('lets a tool call through Nest’s pipeline (context type mcp): its HTTP request was checked already', async () => {
      const { context } = contextFor({}, { type: 'mcp' });

      await expect(sut.canActivate(context)).resolves.toBe(true);
    });
  });

  describe('authentication', () => {
    it('refuses a request without credentials with 401 and a Bearer challenge (no resource metadata with API keys alone)', async () => {
      const { context, res } = contextFor();

      const error = await refusalOf(sut, context);

      const challenge = 'Bearer realm="mcp"';
      expect(error).toBeInstanceOf(AuthenticationRequiredException);
      expect(error.getStatus()).toBe(401);
      expect((error as AuthenticationRequiredException).wwwAuthenticate).toBe(challenge);
      expect(res.header).toHaveBeenCalledWith('WWW-Authenticate', challenge);
    });

    it('refuses an unknown API key with 401 and error="invalid_token"', async () => {
      const { context, res } = contextFor({ headers: { 'x-api-key': 'not-a-key' } });

      const error = await refusalOf(sut, context);

      expect(error.getStatus()).toBe(401);
      expect(res.header).toHaveBeenCalledWith('WWW-Authenticate', expect.stringMatching(/^Bearer realm="mcp", error="invalid_token"$/));
    });

    it('refuses an unknown bearer token with 401', async () => {
      const { context } = contextFor({ headers: { authorization: 'Bearer not-a-key' } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(401);
    });

    it('sets the challenge on a response that only has setHeader (Fastify’s raw reply)', async () => {
      const res = { setHeader: jest.fn() };
      const { context } = contextFor({}, {}, res);

      await refusalOf(sut, context);

      expect(res.setHeader).toHaveBeenCalledWith('WWW-Authenticate', expect.stringContaining('Bearer realm="mcp"'));
    });

    it('names the resource metadata when an OAuth issuer (JWT) is configured', async () => {
      sut = await guardFor({ apiKeys: API_KEYS, jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const { context, res } = contextFor();

      await refusalOf(sut, context);

      expect(res.header).toHaveBeenCalledWith(
        'WWW-Authenticate',
        'Bearer realm="mcp", resource_metadata="http://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
      );
    });

    it('points the challenge at the origin the client used behind a proxy', async () => {
      sut = await guardFor({ apiKeys: API_KEYS, jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const { context, res } = contextFor({ headers: { 'x-forwarded-proto': 'https, http', host: 'api.example.com' } });

      await refusalOf(sut, context);

      expect(res.header).toHaveBeenCalledWith(
        'WWW-Authenticate',
        expect.stringContaining('resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"'),
      );
    });

    it('points the challenge at the origin of the configured JWT resource', async () => {
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET, resource: 'https://mcp.acme.com/mcp' } }, undefined, audit);
      const { context, res } = contextFor({ headers: { host: 'internal:3000' } });

      await refusalOf(sut, context);

      expect(res.header).toHaveBeenCalledWith(
        'WWW-Authenticate',
        expect.stringContaining('resource_metadata="https://mcp.acme.com/.well-known/oauth-protected-resource/mcp"'),
      );
    });

    it('audits a request without credentials as missing, without a secret', async () => {
      const { context } = contextFor();

      await refusalOf(sut, context);

      expect(audit.refused).toHaveBeenCalledWith({
        who: 'anonymous',
        what: 'POST /mcp',
        why: 'no credentials',
        status: 401,
        requestId: 'req-1',
        reason: 'missing',
      });
    });

    it('audits an unknown API key as invalid, never naming the key', async () => {
      const { context } = contextFor({ headers: { 'x-api-key': 'not-a-key' } });

      await refusalOf(sut, context);

      expect(audit.refused).toHaveBeenCalledWith(expect.objectContaining({ who: 'api-key:unknown', status: 401, reason: 'invalid' }));
      expect(JSON.stringify(audit.refused.mock.calls)).not.toContain('not-a-key');
    });

    it('accepts a valid API key and leaves its principal on the request', async () => {
      const { context, req } = contextFor({ headers: { 'x-api-key': ADMIN_KEY } });

      await expect(sut.canActivate(context)).resolves.toBe(true);

      expect(req[REQUEST_ACCESS]).toEqual({ principal: { id: 'admin', kind: 'api-key', permissions: ['*'] } });
      expect(audit.refused).not.toHaveBeenCalled();
    });

    it('accepts a valid API key sent as a bearer token', async () => {
      const { context, req } = contextFor({ headers: { authorization: `Bearer ${ADMIN_KEY}` } });

      await expect(sut.canActivate(context)).resolves.toBe(true);

      expect(req[REQUEST_ACCESS]?.principal.id).toBe('admin');
    });

    it('lets everyone through as anonymous with every permission when authentication is off', async () => {
      sut = await guardFor({}, tenantsWith({ trustGatewayHeaders: false }), audit);
      const { context, req } = contextFor({ params: { tenantId: 'acme' } });

      await expect(sut.canActivate(context)).resolves.toBe(true);

      expect(req[REQUEST_ACCESS]).toEqual({ principal: expect.objectContaining({ id: 'anonymous', permissions: ['*'] }), tenantId: 'acme' });
    });

    it('accepts a valid JWT and takes its subject, tenant and permissions', async () => {
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const token = await jwt({ sub: 'alice', tenant: 'acme', permissions: 'calculator:* diagnostics:echo' });
      const { context, req } = contextFor({ headers: { authorization: `Bearer ${token}` } });

      await expect(sut.canActivate(context)).resolves.toBe(true);

      expect(req[REQUEST_ACCESS]).toEqual({
        principal: {
          id: 'jwt:alice',
          kind: 'jwt',
          userId: 'alice',
          tenantId: 'acme',
          permissions: ['calculator:*', 'diagnostics:echo'],
          oauth: { issuer: ISSUER, scopes: [], resource: RESOURCE, expiresAt: expect.any(Number) },
        },
        tenantId: 'acme',
        userId: 'alice',
      });
    });

    it('refuses an expired JWT with 401 and error="invalid_token"', async () => {
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const token = await jwt({ sub: 'alice' }, '-1m');
      const { context, res } = contextFor({ headers: { authorization: `Bearer ${token}` } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(401);

      expect(res.header).toHaveBeenCalledWith('WWW-Authenticate', expect.stringContaining('error="invalid_token"'));
      expect(audit.refused).toHaveBeenCalledWith(expect.objectContaining({ who: 'jwt:unknown', status: 401 }));
    });

    it('refuses a JWT without exp unless told not to (auth.jwt.requireExp: false)', async () => {
      const forever = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(RESOURCE)
        .sign(new TextEncoder().encode(JWT_SECRET));
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);

      expect((await refusalOf(sut, contextFor({ headers: { authorization: `Bearer ${forever}` } }).context)).getStatus()).toBe(401);

      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET, requireExp: false } }, undefined, audit);
      await expect(sut.canActivate(contextFor({ headers: { authorization: `Bearer ${forever}` } }).context)).resolves.toBe(true);
    });

    it('refuses a JWT that names no subject, rather than sharing one principal among all such tokens', async () => {
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const nobody = await jwt({ tenant: 'acme' });

      expect((await refusalOf(sut, contextFor({ headers: { authorization: `Bearer ${nobody}` } }).context)).getStatus()).toBe(401);
      expect(audit.refused).toHaveBeenCalledWith(expect.objectContaining({ why: 'token has no sub claim' }));
    });

    it('refuses a JWT minted for another resource (RFC 8707 audience) with 401 and error="invalid_token"', async () => {
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const token = await jwt({ sub: 'alice' }, '5m', 'https://other.example.com/mcp');
      const { context, res } = contextFor({ headers: { authorization: `Bearer ${token}` } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(401);

      expect(res.header).toHaveBeenCalledWith('WWW-Authenticate', expect.stringContaining('error="invalid_token"'));
    });

    it('points the challenge on a tenant’s path at that tenant’s resource metadata', async () => {
      sut = await guardFor({ tenants: { acme: { jwt: { issuer: ISSUER, secret: JWT_SECRET } } } }, undefined, audit);
      const { context, res } = contextFor({ url: '/tenants/acme/mcp', params: { tenantId: 'acme' } });

      await refusalOf(sut, context);

      expect(res.header).toHaveBeenCalledWith(
        'WWW-Authenticate',
        'Bearer realm="mcp", resource_metadata="http://mcp.example.com/.well-known/oauth-protected-resource/tenants/acme/mcp"',
      );
    });

    it('answers 503 with Retry-After, not 401, when the authorization server cannot be asked', async () => {
      const unavailable: CredentialVerifier = { enabled: true, authenticate: async () => ({ outcome: 'unavailable', reason: 'JWKS unreachable' }) };
      sut = guardWith(unavailable, undefined, audit, new ProtectedResource({ jwt: { issuer: ISSUER } }));
      const { context, res } = contextFor({ headers: { authorization: 'Bearer x.y.z' } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(503);

      expect(res.header).toHaveBeenCalledWith('Retry-After', 5);
      expect(audit.refused).toHaveBeenCalledWith(expect.objectContaining({ status: 503, why: 'JWKS unreachable' }));
    });

    it('audits an expired JWT as expired, not merely invalid', async () => {
      sut = await guardFor({ jwt: { issuer: ISSUER, secret: JWT_SECRET } }, undefined, audit);
      const token = await jwt({ sub: 'alice' }, '-1m');
      const { context } = contextFor({ headers: { authorization: `Bearer ${token}` } });

      await refusalOf(sut, context);

      expect(audit.refused).toHaveBeenCalledWith(expect.objectContaining({ reason: 'expired' }));
    });
  });

  describe('tenant', () => {
    it('takes the tenant a key is bound to when the path names none', async () => {
      const { context, req } = contextFor({ headers: { 'x-api-key': ACME_KEY } });

      await sut.canActivate(context);

      expect(req[REQUEST_ACCESS]?.tenantId).toBe('acme');
    });

    it('accepts a key bound to the tenant named in the path', async () => {
      const { context, req } = contextFor({ headers: { 'x-api-key': ACME_KEY }, params: { tenantId: 'acme' } });

      await expect(sut.canActivate(context)).resolves.toBe(true);

      expect(req[REQUEST_ACCESS]).toEqual({ principal: expect.objectContaining({ id: 'acme-ci' }), tenantId: 'acme' });
    });

    it('refuses a key bound to another tenant than the path with 403', async () => {
      const { context, req } = contextFor({ headers: { 'x-api-key': ACME_KEY }, params: { tenantId: 'globex' }, url: '/tenants/globex/mcp' });

      const error = await refusalOf(sut, context);

      expect(error).toBeInstanceOf(ForbiddenException);
      expect(req[REQUEST_ACCESS]).toBeUndefined();
    });

    it('audits a key used for another tenant as a tenant mismatch', async () => {
      const { context } = contextFor({ headers: { 'x-api-key': ACME_KEY }, params: { tenantId: 'globex' }, url: '/tenants/globex/mcp' });

      await refusalOf(sut, context);

      expect(audit.refused).toHaveBeenCalledWith(
        expect.objectContaining({ who: 'acme-ci', tenantId: 'acme', what: 'POST /tenants/globex/mcp', status: 403, reason: 'tenant_mismatch' }),
      );
    });

    it('refuses a key bound to another tenant than a trusted gateway’s X-Tenant-Id with 403', async () => {
      sut = await guardFor({ apiKeys: API_KEYS }, tenantsWith({ trustGatewayHeaders: true }), audit);
      const { context } = contextFor({ headers: { 'x-api-key': ACME_KEY, 'x-tenant-id': 'globex' } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(403);
    });

    it('takes a trusted gateway’s tenant and user for a key bound to no tenant', async () => {
      sut = await guardFor({ apiKeys: API_KEYS }, tenantsWith({ trustGatewayHeaders: true }), audit);
      const { context, req } = contextFor({ headers: { 'x-api-key': ADMIN_KEY, 'x-tenant-id': 'globex', 'x-user-id': 'bob' } });

      await sut.canActivate(context);

      expect(req[REQUEST_ACCESS]).toEqual({ principal: expect.objectContaining({ id: 'admin' }), tenantId: 'globex', userId: 'bob' });
    });

    it('ignores the gateway headers when no tenant resolver is provided', async () => {
      sut = await guardFor({ apiKeys: API_KEYS }, undefined, audit);
      const { context, req } = contextFor({ headers: { 'x-api-key': ADMIN_KEY, 'x-tenant-id': 'globex', 'x-user-id': 'bob' } });

      await sut.canActivate(context);

      expect(req[REQUEST_ACCESS]).toEqual({ principal: expect.objectContaining({ id: 'admin' }) });
    });

    it('refuses a malformed tenant id in the path with 400, audited without a failure reason', async () => {
      const { context } = contextFor({ headers: { 'x-api-key': ADMIN_KEY }, params: { tenantId: 'not/valid' } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(400);

      expect(audit.refused).toHaveBeenCalledWith(expect.objectContaining({ who: 'admin', status: 400 }));
      expect(audit.refused.mock.calls[0]![0]).not.toHaveProperty('reason');
    });

    it('checks credentials before the tenant: a bad key on a malformed path gets 401', async () => {
      const { context } = contextFor({ headers: { 'x-api-key': 'not-a-key' }, params: { tenantId: 'not/valid' } });

      expect((await refusalOf(sut, context)).getStatus()).toBe(401);
    });
  });
});
