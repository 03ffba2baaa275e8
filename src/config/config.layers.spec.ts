import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayeredConfig } from './config.layers';
import { loadConfig } from './config.loader';
import { configSchema } from './config.schema';
import { captureConfigError } from '../../test/helpers/config-error';

/**
 * The layers, lowest first: embedded defaults < config/default.yaml < config/<NODE_ENV>.yaml
 * < MCP_CONFIG < environment < overrides. Each names only the keys it overrides.
 */
describe('config layers', () => {
  let root: string;
  let configDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mcp-config-layers-'));
    configDir = join(root, 'config');
    mkdirSync(configDir);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function write(path: string, text: string): string {
    writeFileSync(path, text, 'utf8');
    return path;
  }
  const defaultYaml = (text: string) => write(join(configDir, 'default.yaml'), text);
  const envYaml = (name: string, text: string) => write(join(configDir, `${name}.yaml`), text);
  const mcpConfig = (text: string) => write(join(root, 'mcp.yaml'), text);

  const captureError = captureConfigError;

  describe('order', () => {
    it('stacks default.yaml < NODE_ENV yaml < MCP_CONFIG < environment, each overriding only the keys it names', () => {
      defaultYaml('http:\n  port: 3100\n  host: 10.0.0.1\nsessions:\n  ttlSeconds: 100\nlogging:\n  level: debug\n');
      envYaml('production', 'http:\n  host: 127.0.0.1\nsessions:\n  ttlSeconds: 200\nlogging:\n  level: error\n');
      const file = mcpConfig('sessions:\n  mode: stateless\nlogging:\n  level: trace\n');

      const sut = loadConfig({ configDir, env: { NODE_ENV: 'production', MCP_CONFIG: file, LOG_LEVEL: 'warn' } });

      expect(sut.http.port).toBe(3100); // default.yaml
      expect(sut.http.host).toBe('127.0.0.1'); // production.yaml over default.yaml
      expect(sut.sessions.ttlSeconds).toBe(200); // production.yaml
      expect(sut.sessions.mode).toBe('stateless'); // MCP_CONFIG
      expect(sut.logging.level).toBe('warn'); // environment over all files
      expect(sut.logging.format).toBe('json'); // embedded default
      expect(sut.http.bodyLimitBytes).toBe(1024 * 1024); // embedded default
    });

    it('layers the MCP_CONFIG file on default.yaml instead of replacing it', () => {
      defaultYaml('toolPacks:\n  diagnostics: false\n');
      const file = mcpConfig('http:\n  port: 8080\n');

      const sut = loadConfig({ configDir, env: { MCP_CONFIG: file } });

      expect(sut.toolPacks.diagnostics).toBe(false);
      expect(sut.http.port).toBe(8080);
    });

    it('puts the programmatic overrides above the environment', () => {
      const sut = loadConfig({ configDir, env: { MCP_SESSION_TTL_SECONDS: '60' }, overrides: { sessions: { ttlSeconds: 30 } } });

      expect(sut.sessions.ttlSeconds).toBe(30);
    });

    it('reads no NODE_ENV file when NODE_ENV is unset', () => {
      envYaml('production', 'http:\n  port: 9999\n');

      expect(loadConfig({ configDir, env: {} }).http.port).toBe(3000);
    });

    it('skips a NODE_ENV without a file', () => {
      expect(loadConfig({ configDir, env: { NODE_ENV: 'staging' } }).http.port).toBe(3000);
    });

    it('works without a default.yaml, from the embedded defaults', () => {
      const sut = loadConfig({ configDir, env: {} });

      expect(sut.sessions).toEqual({ mode: 'stateful', ttlSeconds: 1800, maxPerPrincipal: 1000, maxPerTenant: 10_000 });
    });

    it('refuses a NODE_ENV that cannot name a file in the config directory', () => {
      const error = captureError(() => loadConfig({ configDir, env: { NODE_ENV: '../secrets' } }));

      expect(error.problems).toEqual(['NODE_ENV: "../secrets" cannot name a config file (1-64 characters of A-Z a-z 0-9 _ . -)']);
    });

    it('reads a file named twice once, at its highest place', () => {
      const production = envYaml('production', 'sesions: {}\n');

      const error = captureError(() => loadConfig({ configDir, env: { NODE_ENV: 'production', MCP_CONFIG: production } }));

      expect(error.problems).toEqual([`sesions: unknown key (did you mean "sessions"?) (from ${production})`]);
    });

    it('names the layer of a default.yaml that is not valid YAML', () => {
      const path = defaultYaml('http: [unclosed\n');

      const error = captureError(() => loadConfig({ configDir, env: {} }));

      expect(error.problems[0]).toContain(`default config: ${path} is not valid YAML`);
    });

    it('refuses an MCP_CONFIG that does not exist, naming the variable and the path', () => {
      const missing = join(root, 'missing.yaml');

      const error = captureError(() => loadConfig({ configDir, env: { MCP_CONFIG: missing } }));

      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^MCP_CONFIG: cannot read ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`));
    });
  });

  describe('merging', () => {
    it('replaces lists whole', () => {
      defaultYaml('http:\n  allowedHosts: [a.example, b.example]\n');
      const file = mcpConfig('http:\n  allowedHosts: [c.example]\n');

      expect(loadConfig({ configDir, env: { MCP_CONFIG: file } }).http.allowedHosts).toEqual(['c.example']);
    });

    it('merges tenants id by id and each tenant key by key', () => {
      defaultYaml('tenants:\n  acme:\n    tools: { allow: ["calculator:*"], deny: [] }\n  beta:\n    toolPacks: [calculator]\n');
      const file = mcpConfig('tenants:\n  beta:\n    rateLimit: { limit: 5, ttlSeconds: 60 }\n');

      const sut = loadConfig({ configDir, env: { MCP_CONFIG: file } });

      expect(Object.keys(sut.tenants).sort()).toEqual(['acme', 'beta']);
      expect(sut.tenants.acme.tools).toEqual({ allow: ['calculator:*'], deny: [] });
      expect(sut.tenants.beta.toolPacks).toEqual(['calculator']);
      expect(sut.tenants.beta.rateLimit).toEqual({ limit: 5, ttlSeconds: 60 });
    });

    it('does not validate a value that a higher layer replaced', () => {
      defaultYaml('sessions:\n  ttlSeconds: -1\n');
      envYaml('production', 'sessions:\n  ttlSeconds: 60\n');

      expect(loadConfig({ configDir, env: { NODE_ENV: 'production' } }).sessions.ttlSeconds).toBe(60);
    });
  });

  describe('null', () => {
    it('clears an optional key set by a lower layer', () => {
      defaultYaml(`metrics:\n  key: ${'k'.repeat(20)}\nrateLimit:\n  anonymous: { limit: 10, ttlSeconds: 60 }\nredisUrl: redis://redis:6379\n`);
      envYaml('production', 'metrics:\n  key: null\nrateLimit:\n  anonymous: ~\nredisUrl:\n');

      const sut = loadConfig({ configDir, env: { NODE_ENV: 'production' } });

      expect(sut.metrics.key).toBeUndefined();
      expect(sut.rateLimit.anonymous).toBeUndefined();
      expect(sut.rateLimit.default).toEqual({ limit: 600, ttlSeconds: 60 });
      expect(sut.redisUrl).toBeUndefined();
    });

    it('removes a tenant or the JWT section', () => {
      defaultYaml('tenants:\n  acme: {}\n  beta: {}\nauth:\n  jwt: { issuer: https://auth.example.com }\n');
      const file = mcpConfig('tenants:\n  beta: null\nauth:\n  jwt: null\n');

      const sut = loadConfig({ configDir, env: { MCP_CONFIG: file } });

      expect(Object.keys(sut.tenants)).toEqual(['acme']);
      expect(sut.auth.jwt).toBeUndefined();
      expect(sut.auth.apiKeys).toEqual([]);
    });

    it('lets a higher layer set a key again after a lower one cleared it', () => {
      defaultYaml('auth:\n  jwt: { issuer: https://old.example.com, audience: old }\n');
      envYaml('production', 'auth:\n  jwt: null\n');
      const file = mcpConfig('auth:\n  jwt: { issuer: https://new.example.com }\n');

      const sut = loadConfig({ configDir, env: { NODE_ENV: 'production', MCP_CONFIG: file } });

      expect(sut.auth.jwt).toEqual({ issuer: 'https://new.example.com' });
    });

    it('generates the node id again when nodeId is cleared', () => {
      defaultYaml('nodeId: fixed\n');
      envYaml('production', 'nodeId: null\n');

      expect(loadConfig({ configDir, env: { NODE_ENV: 'production' } }).nodeId).not.toBe('fixed');
    });

    it('refuses null for a required key, naming the file and the variable', () => {
      const production = envYaml('production', 'sessions:\n  ttlSeconds: null\n');

      const error = captureError(() => loadConfig({ configDir, env: { NODE_ENV: 'production' } }));

      expect(error.problems).toEqual([
        `sessions.ttlSeconds: is required: null clears optional keys only (set to null in ${production}; override with MCP_SESSION_TTL_SECONDS)`,
      ]);
    });

    it('accepts the variable over a null in a file', () => {
      envYaml('production', 'sessions:\n  ttlSeconds: null\n');

      expect(loadConfig({ configDir, env: { NODE_ENV: 'production', MCP_SESSION_TTL_SECONDS: '45' } }).sessions.ttlSeconds).toBe(45);
    });

    it('refuses null for an unknown key', () => {
      const file = mcpConfig('bogus: null\n');

      const error = captureError(() => loadConfig({ configDir, env: { MCP_CONFIG: file } }));

      expect(error.problems).toEqual([`bogus: unknown key (from ${file})`]);
    });
  });

  describe('errors name the key, the layer and the variable', () => {
    it('names the NODE_ENV file a bad value came from', () => {
      defaultYaml('sessions:\n  ttlSeconds: 100\n');
      const production = envYaml('production', 'sessions:\n  ttlSeconds: 0\n');

      const error = captureError(() => loadConfig({ configDir, env: { NODE_ENV: 'production' } }));

      expect(error.problems).toEqual([`sessions.ttlSeconds: must not be less than 1 (from ${production}; override with MCP_SESSION_TTL_SECONDS)`]);
    });

    it('names default.yaml when the bad value is there and nothing overrides it', () => {
      const path = defaultYaml('http:\n  adapter: koa\n');
      envYaml('production', 'http:\n  port: 8080\n');

      const error = captureError(() => loadConfig({ configDir, env: { NODE_ENV: 'production' } }));

      expect(error.problems).toEqual([`http.adapter: must be one of the following values: express, fastify (from ${path}; override with HTTP_ADAPTER)`]);
    });

    it('names the environment variable when the bad value came from it', () => {
      defaultYaml('sessions:\n  ttlSeconds: 100\n');

      const error = captureError(() => loadConfig({ configDir, env: { MCP_SESSION_TTL_SECONDS: '0' } }));

      expect(error.problems).toEqual(['sessions.ttlSeconds: must not be less than 1 (from environment variable MCP_SESSION_TTL_SECONDS)']);
    });

    it('names the file that added a mapping without one of its required keys', () => {
      const file = mcpConfig('auth:\n  jwt:\n    audience: mcp\n');

      const error = captureError(() => loadConfig({ configDir, env: { MCP_CONFIG: file } }));

      expect(error.problems).toEqual([`auth.jwt.issuer: must be longer than or equal to 1 characters; must be a string (from ${file})`]);
    });

    it('names the file of a bad tenant entry', () => {
      const file = mcpConfig('tenants:\n  acme:\n    rateLimit: { limit: 0, ttlSeconds: 60 }\n  "bad id!": {}\n');

      const error = captureError(() => loadConfig({ configDir, env: { MCP_CONFIG: file } }));

      expect(error.problems).toEqual([
        `tenants.acme.rateLimit.limit: must not be less than 1 (from ${file})`,
        `tenants.bad id!: tenant id must match /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/ (from ${file})`,
      ]);
    });

    it('names a mapping replaced by a scalar', () => {
      const file = mcpConfig('sessions: 5\n');

      const error = captureError(() => loadConfig({ configDir, env: { MCP_CONFIG: file } }));

      expect(error.problems).toEqual([`sessions: must be a mapping (from ${file})`]);
    });
  });
});

describe(LayeredConfig.name, () => {
  it('blames "default" for a value from the embedded defaults', () => {
    const sut = new LayeredConfig(configSchema());
    sut.apply({ sessions: { mode: 'stateful', ttlSeconds: 1800 } }, { kind: 'default' });
    sut.apply({ sessions: { mode: 'stateless' } }, { kind: 'file', path: '/etc/mcp.yaml' });

    expect(sut.sourceOf('sessions.ttlSeconds')?.source).toEqual({ kind: 'default' });
    expect(sut.sourceOf('sessions.mode')?.source).toEqual({ kind: 'file', path: '/etc/mcp.yaml' });
  });

  it('blames the layer that replaced a list for a problem inside one of its items', () => {
    const sut = new LayeredConfig(configSchema());
    sut.apply({ auth: { apiKeys: [{ id: 'a' }] } }, { kind: 'file', path: '/a.yaml' });

    expect(sut.sourceOf('auth.apiKeys[0].hash')?.source).toEqual({ kind: 'file', path: '/a.yaml' });
  });

  it('forgets what a lower layer wrote under a key a higher one replaced', () => {
    const sut = new LayeredConfig(configSchema());
    sut.apply({ auth: { jwt: { issuer: 'x', audience: 'y' } } }, { kind: 'file', path: '/low.yaml' });
    sut.apply({ auth: { jwt: null } }, { kind: 'file', path: '/high.yaml' });

    expect(sut.values).toEqual({ auth: {} });
    expect(sut.sourceOf('auth.jwt')).toMatchObject({ source: { kind: 'file', path: '/high.yaml' }, cleared: true });
  });
});
