import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV_OVERRIDES } from './config.constants';
import { loadConfig } from './config.loader';
import { configKeyPaths, schemaNodeAt } from './config.schema';

describe('config schema', () => {
  const byPath = new Map(configKeyPaths().map((key) => [key.path, key]));

  it('lists the leaves of sections, list items and map entries', () => {
    expect(byPath.get('sessions.ttlSeconds')).toEqual({ path: 'sessions.ttlSeconds', type: 'number', optional: false });
    expect(byPath.get('http.allowedHosts')).toMatchObject({ type: 'list', optional: false });
    expect(byPath.get('metrics.enabled')).toMatchObject({ type: 'boolean' });
    expect(byPath.get('metrics.key')).toMatchObject({ type: 'string', optional: true });
    expect(byPath.get('auth.apiKeys[].hash')).toMatchObject({ type: 'string', optional: true });
    expect(byPath.get('auth.jwt.issuer')).toMatchObject({ optional: true });
    expect(byPath.get('tenants.<id>.tools.allow')).toMatchObject({ type: 'list', optional: true });
    expect(byPath.get('rateLimit.anonymous.limit')).toMatchObject({ type: 'number', optional: true });
    expect(byPath.has('auth')).toBe(false);
  });

  it('knows every key that a variable overrides, as a value', () => {
    for (const path of Object.keys(ENV_OVERRIDES)) expect(schemaNodeAt(path)).toMatchObject({ kind: 'value' });
  });

  it('finds nodes under map entries', () => {
    expect(schemaNodeAt('tenants.acme.rateLimit.ttlSeconds')).toEqual({ kind: 'value', type: 'number' });
    expect(schemaNodeAt('sessions.nope')).toBeUndefined();
  });
});

describe('config/default.yaml', () => {
  it('restates the embedded defaults', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mcp-config-empty-'));
    try {
      const withFile = loadConfig({ env: { NODE_ID: 'n' } });
      const embedded = loadConfig({ env: { NODE_ID: 'n' }, configDir: empty });

      expect(withFile).toEqual(embedded);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
