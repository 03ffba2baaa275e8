import { missingPermissions, permissionsOfScopes, permits, scopesGranting } from './permissions';

const SCOPES = {
  'mcp:admin': ['*'],
  'mcp:calculator': ['calculator:*'],
  'mcp:add': ['calculator:add'],
  'mcp:diagnostics': ['diagnostics:echo', 'diagnostics:requestTiming'],
};

describe('permissions', () => {
  it('covers a tool by *, by pack:* or exactly', () => {
    expect(permits(['*'], 'calculator:add')).toBe(true);
    expect(permits(['calculator:*'], 'calculator:add')).toBe(true);
    expect(permits(['calculator:add'], 'calculator:add')).toBe(true);
    expect(permits(['calculator:*'], 'diagnostics:echo')).toBe(false);
    expect(missingPermissions(['calculator:*'], ['calculator:add', 'diagnostics:echo'])).toEqual(['diagnostics:echo']);
  });

  describe(permissionsOfScopes.name, () => {
    it('grants what each scope maps to, once', () => {
      expect(permissionsOfScopes(['mcp:calculator', 'mcp:add', 'openid'], SCOPES)).toEqual(['calculator:*', 'calculator:add']);
    });

    it('grants nothing for scopes named like object members', () => {
      expect(permissionsOfScopes(['constructor', '__proto__', 'toString'], SCOPES)).toEqual([]);
    });
  });

  describe(scopesGranting.name, () => {
    it('asks for the narrowest scope: exact, then pack:*, then *', () => {
      expect(scopesGranting(['calculator:add'], SCOPES)).toEqual(['mcp:add']);
      expect(scopesGranting(['calculator:divide'], SCOPES)).toEqual(['mcp:calculator']);
      expect(scopesGranting(['examples:progress'], SCOPES)).toEqual(['mcp:admin']);
    });

    it('asks for each scope once, for several permissions', () => {
      expect(scopesGranting(['diagnostics:echo', 'diagnostics:requestTiming', 'calculator:sqrt'], SCOPES)).toEqual(['mcp:diagnostics', 'mcp:calculator']);
    });

    it('gives up when no scope grants a permission', () => {
      expect(scopesGranting(['diagnostics:echo', 'examples:progress'], { 'mcp:diagnostics': ['diagnostics:*'] })).toBeUndefined();
    });
  });
});
