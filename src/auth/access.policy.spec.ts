import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RegisteredTool } from '../mcp/discovery/mcp.registry';
import type { McpRequestContext } from '../mcp/interfaces/mcp-context.interface';
import { ToolAccessPolicy } from './access.policy';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { Principal } from './principal.interface';
import { ProtectedResource } from './protected-resource.service';

const ISSUER = 'https://login.example.com';
const RESOURCE = 'https://mcp.example.com/mcp';

function toolNamed(name: string, pack: string): RegisteredTool {
  return { definition: { name }, pack, permissions: [`${pack}:${name}`] } as unknown as RegisteredTool;
}

function contextFor(principal: Principal, tenantId?: string): McpRequestContext {
  return { requestId: 'r', nodeId: 'n', receivedAt: 0, headers: {}, principal, ...(tenantId !== undefined && { tenantId }) };
}

function oauthPrincipal(scopes: string[], permissions: string[]): Principal {
  return { id: 'jwt:alice', kind: 'jwt', userId: 'alice', permissions, oauth: { issuer: ISSUER, scopes, resource: RESOURCE } };
}

describe(ToolAccessPolicy.name, () => {
  const options: AuthModuleOptions = {
    jwt: { issuer: ISSUER, scopes: { 'mcp:calculator': ['calculator:*'], 'mcp:all': ['*'], 'mcp:diagnostics': ['diagnostics:*'] } },
    tenants: { globex: { tools: { allow: ['*'], deny: ['divide'] } } },
  };
  const add = toolNamed('add', 'calculator');
  const divide = toolNamed('divide', 'calculator');
  let sut: ToolAccessPolicy;

  beforeEach(() => {
    sut = new ToolAccessPolicy(options, {} as ThrottlerStorage, new ProtectedResource(options));
  });

  it('lets a caller whose permissions cover the tool through', () => {
    expect(sut.toolAccess(contextFor(oauthPrincipal(['mcp:calculator'], ['calculator:*'])), add)).toEqual({ allowed: true });
  });

  it('asks an OAuth token without the scope to step up: the scope needed, and the token’s own kept in the challenge', () => {
    const access = sut.toolAccess(contextFor(oauthPrincipal(['mcp:diagnostics'], ['diagnostics:*'])), add);

    expect(access).toEqual({
      allowed: false,
      reason: 'Forbidden: tool "add" needs scope mcp:calculator; authorize again with it',
      data: {
        requiredScopes: ['mcp:calculator'],
        wwwAuthenticate:
          'Bearer error="insufficient_scope", scope="mcp:diagnostics mcp:calculator", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
      },
    });
  });

  it('refuses an API key as before: no step-up data', () => {
    const key: Principal = { id: 'ci', kind: 'api-key', permissions: ['diagnostics:*'] };

    expect(sut.toolAccess(contextFor(key), add)).toEqual({ allowed: false, reason: 'Forbidden: tool "add" needs permission calculator:add' });
  });

  it('does not ask for a scope that would not help: none grants the permission, or the tenant refuses the tool', () => {
    const narrow = new ToolAccessPolicy(
      { jwt: { issuer: ISSUER, scopes: { 'mcp:diagnostics': ['diagnostics:*'] } } },
      {} as ThrottlerStorage,
      new ProtectedResource({ jwt: { issuer: ISSUER } }),
    );

    expect(narrow.toolAccess(contextFor(oauthPrincipal([], [])), add).data).toBeUndefined();
    expect(sut.toolAccess(contextFor(oauthPrincipal([], []), 'globex'), divide)).toEqual({
      allowed: false,
      reason: 'Forbidden: tool "divide" is not available to this tenant',
    });
  });

  describe('cacheKey (the tools/list cache)', () => {
    it('is the same for callers with the same permissions and tenant, whoever they are and in whatever order', () => {
      const alice = oauthPrincipal(['mcp:calculator', 'mcp:diagnostics'], ['calculator:*', 'diagnostics:*']);
      const bob: Principal = { id: 'bob-key', kind: 'api-key', permissions: ['diagnostics:*', 'calculator:*'] };

      expect(sut.cacheKey(contextFor(alice, 'acme'))).toBe(sut.cacheKey(contextFor(bob, 'acme')));
    });

    it('differs for two tokens of one subject with different scopes, and for another tenant', () => {
      const wide = oauthPrincipal(['mcp:calculator', 'mcp:diagnostics'], ['calculator:*', 'diagnostics:*']);
      const narrow = oauthPrincipal(['mcp:diagnostics'], ['diagnostics:*']);

      expect(sut.cacheKey(contextFor(wide))).not.toBe(sut.cacheKey(contextFor(narrow)));
      expect(sut.cacheKey(contextFor(wide, 'acme'))).not.toBe(sut.cacheKey(contextFor(wide, 'globex')));
    });
  });
});
