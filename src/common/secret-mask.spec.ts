import { isSecretName, maskHeaders, maskQuery, maskUrlCredentials, maskValue, withoutSecretHeaders } from './secret-mask';

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

describe('secret masking, the cases a security review found', () => {
  it('treats names ending in _KEY or _AUTH as secret (MCP_METRICS_KEY)', () => {
    for (const name of ['MCP_METRICS_KEY', 'STRIPE_KEY', 'x-upstream-auth', 'PROXY_AUTH']) expect(isSecretName(name)).toBe(true);
    for (const name of ['MCP_KEY_PREFIX_LENGTH', 'monkey', 'author', 'keyboard']) expect(isSecretName(name)).toBe(false);
  });

  it('masks a URL password that contains @ whole', () => {
    expect(maskUrlCredentials('redis://default:p@ss@w0rd@redis:6379/0')).toBe('redis://default:******@redis:6379/0');
    expect(maskUrlCredentials('rediss://:only@secret@host')).toBe('rediss://:******@host');
    expect(maskUrlCredentials('https://host/path?to=user@example.com')).toBe('https://host/path?to=user@example.com');
  });

  it('masks secret query parameters of a logged URL and keeps the others', () => {
    expect(maskQuery('/mcp?api_key=k-123&tenant=acme&access_token=t0k')).toBe('/mcp?api_key=******&tenant=acme&access_token=******');
    expect(maskQuery('/messages?sessionId=abc')).toBe('/messages?sessionId=abc');
    expect(maskQuery('/mcp')).toBe('/mcp');
  });

  it('keeps credentials off what travels between replicas', () => {
    expect(withoutSecretHeaders({ authorization: 'Bearer t', 'x-api-key': 'k', 'mcp-protocol-version': '2024-11-05', host: 'h' })).toEqual({
      'mcp-protocol-version': '2024-11-05',
      host: 'h',
    });
  });
});
