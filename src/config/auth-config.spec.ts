import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AuthConfig } from './auth-config';

function problemsOf(auth: Record<string, unknown>): string[] {
  const errors = validateSync(plainToInstance(AuthConfig, { apiKeys: [], allowAnonymous: true, ...auth }));
  const messages = (error: (typeof errors)[number], path: string): string[] => [
    ...Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`),
    ...(error.children ?? []).flatMap((child) => messages(child, `${path}.${child.property}`)),
  ];
  return errors.flatMap((error) => messages(error, error.property));
}

describe(AuthConfig.name, () => {
  it('takes a scope map of scope → permissions', () => {
    expect(problemsOf({ jwt: { issuer: 'https://idp', scopes: { 'mcp:calculator': ['calculator:*'], 'Calculator.Use': ['*'] } } })).toEqual([]);
  });

  it.each([
    ['a scope with a space', { 'mcp calc': ['*'] }],
    ['no permissions', { 'mcp:calc': [] }],
    ['a malformed permission', { 'mcp:calc': ['calc ulator'] }],
    ['a list instead of a map', ['mcp:calc']],
  ])('refuses a scope map with %s', (_case, scopes) => {
    expect(problemsOf({ jwt: { issuer: 'https://idp', scopes } })).toEqual([expect.stringMatching(/^jwt\.scopes: must map each scope/)]);
  });

  it('needs the introspection client’s credentials', () => {
    expect(problemsOf({ jwt: { issuer: 'https://idp', introspection: { clientId: 'mcp' } } })).toEqual([
      expect.stringMatching(/^jwt\.introspection\.clientSecret: /),
      expect.stringMatching(/^jwt\.introspection\.clientSecret: /),
    ]);
  });
});
