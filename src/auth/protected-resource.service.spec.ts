import type { IncomingMessage } from 'node:http';
import type { AuthModuleOptions } from './auth-module-options.interface';
import { ProtectedResource, tenantResource } from './protected-resource.service';

const PLATFORM_ISSUER = 'https://login.example.com';
const ACME_ISSUER = 'https://acme.okta.com/oauth2/default';

function requestTo(
  host: string,
  options: { params?: Record<string, string>; proto?: string } = {},
): IncomingMessage & { params?: Record<string, string> } {
  return { headers: { host, ...(options.proto && { 'x-forwarded-proto': options.proto }) }, params: options.params } as unknown as IncomingMessage & {
    params?: Record<string, string>;
  };
}

describe(ProtectedResource.name, () => {
  const options: AuthModuleOptions = {
    jwt: { issuer: PLATFORM_ISSUER, scopes: { 'mcp:calculator': ['calculator:*'] } },
    tenants: { acme: { jwt: { issuer: ACME_ISSUER, scopes: { 'acme.calc': ['calculator:*'] } } }, globex: {} },
  };
  let sut: ProtectedResource;

  beforeEach(() => {
    sut = new ProtectedResource(options);
  });

  describe('resource URLs', () => {
    it('derives the server’s from the request: Host, X-Forwarded-Proto, /mcp', () => {
      expect(sut.targetOf(requestTo('mcp.example.com'))).toEqual({ resource: 'http://mcp.example.com/mcp', baseResource: 'http://mcp.example.com/mcp' });
      expect(sut.targetOf(requestTo('mcp.example.com', { proto: 'https, http' })).resource).toBe('https://mcp.example.com/mcp');
      expect(sut.targetOf(requestTo('mcp.example.com', { proto: 'javascript' })).resource).toBe('http://mcp.example.com/mcp');
    });

    it('puts a tenant’s before the last segment of the server’s', () => {
      expect(sut.targetOf(requestTo('mcp.example.com', { params: { tenantId: 'acme' } }))).toEqual({
        resource: 'http://mcp.example.com/tenants/acme/mcp',
        baseResource: 'http://mcp.example.com/mcp',
        pathTenantId: 'acme',
      });
      expect(tenantResource('https://mcp.example.com/api/mcp', 'acme')).toBe('https://mcp.example.com/api/tenants/acme/mcp');
    });

    it('takes the configured resource whatever the Host', () => {
      const configured = new ProtectedResource({ jwt: { issuer: PLATFORM_ISSUER, resource: 'https://mcp.example.com/mcp' } });

      expect(configured.targetOf(requestTo('10.0.0.7:3000')).resource).toBe('https://mcp.example.com/mcp');
    });

    it('does not fail on a Host no URL can hold', () => {
      expect(sut.targetOf(requestTo('bad host')).resource).toBe('http://localhost/mcp');
    });
  });

  describe('metadata (RFC 9728)', () => {
    it('serves the server’s at the root and at its resource path', () => {
      const expected = {
        resource: 'http://mcp.example.com/mcp',
        authorization_servers: [PLATFORM_ISSUER],
        scopes_supported: ['mcp:calculator'],
        bearer_methods_supported: ['header'],
        resource_name: 'MCP platform',
      };

      expect(sut.metadataAt(requestTo('mcp.example.com'), '')).toEqual(expected);
      expect(sut.metadataAt(requestTo('mcp.example.com'), '/mcp')).toEqual(expected);
    });

    it('serves a tenant’s own authorization server and scopes at its path, else the server’s', () => {
      expect(sut.metadataAt(requestTo('mcp.example.com'), '/tenants/acme/mcp')).toMatchObject({
        resource: 'http://mcp.example.com/tenants/acme/mcp',
        authorization_servers: [ACME_ISSUER],
        scopes_supported: ['acme.calc'],
      });
      expect(sut.metadataAt(requestTo('mcp.example.com'), '/tenants/globex/mcp')).toMatchObject({ authorization_servers: [PLATFORM_ISSUER] });
    });

    it('serves nothing at a path that is no resource, or where no authorization server is configured', () => {
      expect(sut.metadataAt(requestTo('mcp.example.com'), '/tenants/acme/sse')).toBeUndefined();
      expect(sut.metadataAt(requestTo('mcp.example.com'), '/elsewhere')).toBeUndefined();
      expect(new ProtectedResource({ apiKeys: [] }).metadataAt(requestTo('mcp.example.com'), '')).toBeUndefined();
    });

    it('is found by inserting the well-known path before the resource’s path', () => {
      expect(sut.metadataUrl('https://mcp.example.com/tenants/acme/mcp')).toBe(
        'https://mcp.example.com/.well-known/oauth-protected-resource/tenants/acme/mcp',
      );
    });
  });

  describe('challenges', () => {
    it('names the resource’s metadata in a 401 only where an authorization server serves it', () => {
      const onlyAcme = new ProtectedResource({ tenants: { acme: { jwt: { issuer: ACME_ISSUER } } } });

      expect(onlyAcme.unauthorized(onlyAcme.targetOf(requestTo('h', { params: { tenantId: 'acme' } })), true)).toBe(
        'Bearer realm="mcp", resource_metadata="http://h/.well-known/oauth-protected-resource/tenants/acme/mcp", error="invalid_token"',
      );
      expect(onlyAcme.unauthorized(onlyAcme.targetOf(requestTo('h')), false)).toBe('Bearer realm="mcp"');
    });

    it('asks for scopes in a 403 (RFC 6750 insufficient_scope)', () => {
      expect(sut.insufficientScope('https://mcp.example.com/mcp', ['a', 'b'])).toBe(
        'Bearer error="insufficient_scope", scope="a b", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
      );
    });

    it('knows each issuer’s scope map, a tenant’s falling back to the server’s', () => {
      const fallback = new ProtectedResource({ jwt: options.jwt, tenants: { acme: { jwt: { issuer: ACME_ISSUER } } } });

      expect(sut.scopesOfIssuer(ACME_ISSUER)).toEqual({ 'acme.calc': ['calculator:*'] });
      expect(fallback.scopesOfIssuer(ACME_ISSUER)).toEqual({ 'mcp:calculator': ['calculator:*'] });
      expect(sut.scopesOfIssuer('https://unknown.example.com')).toEqual({});
    });
  });
});
