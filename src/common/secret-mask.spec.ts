import { isSecretName, maskHeaders, maskUrlCredentials, maskValue } from './secret-mask';

describe('secret masking', () => {
  it('treats credentials and anything named like a secret as secret', () => {
    for (const name of ['authorization', 'cookie', 'x-api-key', 'JWT_SECRET', 'DATABASE_PASSWORD', 'github_token', 'AWS_SECRET_ACCESS_KEY']) {
      expect(isSecretName(name)).toBe(true);
    }
    for (const name of ['host', 'user-agent', 'mcp-session-id', 'PORT', 'NODE_ENV']) {
      expect(isSecretName(name)).toBe(false);
    }
  });

  it('keeps the scheme and length of a credential but never its characters', () => {
    expect(maskValue('Bearer abc.def.ghi')).toBe('Bearer ****** (11 chars)');
    expect(maskValue('s3cr3t')).toBe('****** (6 chars)');
  });

  it('masks secret headers and leaves the others', () => {
    const masked = maskHeaders({ authorization: 'Bearer topsecret', host: 'localhost', 'x-api-key': 'k-123' });
    expect(JSON.stringify(masked)).not.toContain('topsecret');
    expect(JSON.stringify(masked)).not.toContain('k-123');
    expect(masked.host).toBe('localhost');
  });

  it('masks the password in a URL', () => {
    expect(maskUrlCredentials('redis://default:hunter2@redis:6379/0')).toBe('redis://default:******@redis:6379/0');
    expect(maskUrlCredentials('redis://redis:6379')).toBe('redis://redis:6379');
  });
});
