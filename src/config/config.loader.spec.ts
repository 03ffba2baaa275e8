import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from './config.defaults';
import { loadConfig } from './config.loader';
import { captureConfigError } from '../../test/helpers/config-error';

describe(loadConfig.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-config-spec-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `text` to a temp YAML file and returns its absolute path. */
  function yamlFile(text: string): string {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, text, 'utf8');
    return path;
  }

  const captureError = captureConfigError;

  describe('auth.allowAnonymous', () => {
    it('stops a config without credentials when anonymous callers are not allowed, naming the key and its variable', () => {
      const error = captureError(() => loadConfig({ env: { MCP_ALLOW_ANONYMOUS: 'false' } }));

      expect(error.message).toMatch(/auth\.allowAnonymous: is false, and no auth\.apiKeys, auth\.jwt or tenants\.<id>\.jwt is configured/);
      expect(error.message).toContain('MCP_ALLOW_ANONYMOUS');
    });

    it('accepts it with an API key', () => {
      const hash = `sha256:${'a'.repeat(64)}`;
      expect(() =>
        loadConfig({ env: { MCP_ALLOW_ANONYMOUS: 'false' }, overrides: { auth: { apiKeys: [{ id: 'k', hash, permissions: ['*'] }] } } }),
      ).not.toThrow();
    });

    it('accepts it with only a tenant’s own issuer', () => {
      const tenants = { acme: { jwt: { issuer: 'https://id.acme.example', jwksUrl: 'https://id.acme.example/jwks' } } };
      expect(() => loadConfig({ env: { MCP_ALLOW_ANONYMOUS: 'false' }, overrides: { tenants } })).not.toThrow();
    });

    it('is required by the shipped config/production.yaml, which also switches the diagnostics pack off', () => {
      expect(() => loadConfig({ env: { NODE_ENV: 'production' } })).toThrow(/auth\.allowAnonymous/);
      const allowed = loadConfig({ env: { NODE_ENV: 'production', MCP_ALLOW_ANONYMOUS: 'true' } });
      expect(allowed.toolPacks.diagnostics).toBe(false);
    });
  });

  describe('defaults', () => {
    it('yields the embedded defaults when nothing is configured', () => {
      const sut = loadConfig({ env: {} });

      expect(sut.sessions).toEqual(CONFIG_DEFAULTS.sessions);
      expect(sut.toolPacks).toEqual(CONFIG_DEFAULTS.toolPacks);
      expect(sut.gateway).toEqual(CONFIG_DEFAULTS.gateway);
      expect(sut.http).toEqual(CONFIG_DEFAULTS.http);
      expect(sut.mcp).toEqual(CONFIG_DEFAULTS.mcp);
      expect(sut.logging).toEqual(CONFIG_DEFAULTS.logging);
      expect(sut.redisUrl).toBeUndefined();
    });

    it('does not share the defaults object between loads', () => {
      const first = loadConfig({ env: {} });
      first.http.allowedHosts.push('mutated.example');

      const second = loadConfig({ env: {} });

      expect(second.http.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    });
  });

  describe('YAML file (MCP_CONFIG)', () => {
    it('overrides the keys it sets and keeps the defaults of the others', () => {
      const path = yamlFile('http:\n  port: 8080\nsessions:\n  mode: stateless\n');

      const sut = loadConfig({ env: { MCP_CONFIG: path } });

      expect(sut.http.port).toBe(8080);
      expect(sut.sessions.mode).toBe('stateless');
      expect(sut.http.host).toBe('0.0.0.0');
      expect(sut.sessions.ttlSeconds).toBe(1800);
      expect(sut.mcp.responseMode).toBe('auto');
    });

    it('treats an empty file as no overrides', () => {
      const path = yamlFile('# nothing here\n');

      const sut = loadConfig({ env: { MCP_CONFIG: path } });

      expect(sut.http.port).toBe(3000);
    });

    it('refuses an unknown top-level key, naming it', () => {
      const path = yamlFile('bogusKey: 1\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.problems).toEqual([`bogusKey: unknown key (from ${path})`]);
    });

    it('refuses an unknown nested key, naming it', () => {
      const path = yamlFile('http:\n  portt: 1\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.problems).toEqual([`http.portt: unknown key (did you mean "port"?) (from ${path})`]);
    });

    it('refuses an unknown key inside a list item, naming the item and the file', () => {
      const path = yamlFile(`auth:\n  apiKeys:\n    - { id: ci, hsh: "sha256:${'a'.repeat(64)}", permissions: ["*"] }\n`);

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.problems).toContain(`auth.apiKeys[0].hsh: unknown key (did you mean "hash"?) (from ${path})`);
    });

    it('names a bad value inside a list item with its index and the file', () => {
      const path = yamlFile('auth:\n  apiKeys:\n    - { id: ci, hash: "md5:abc", permissions: ["*"] }\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.problems).toEqual([`auth.apiKeys[0].hash: must be sha256: followed by 64 lower-case hex digits (from ${path})`]);
    });

    it('resolves a relative path against options.cwd', () => {
      yamlFile('http:\n  port: 8181\n');

      const sut = loadConfig({ env: { MCP_CONFIG: 'config.yaml' }, cwd: dir });

      expect(sut.http.port).toBe(8181);
    });

    it('refuses a file whose top level is a list', () => {
      const path = yamlFile('- a\n- b\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.message).toContain('must hold a mapping');
    });

    it('refuses a file whose top level is a scalar', () => {
      const path = yamlFile('just a string\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.message).toContain('must hold a mapping');
    });

    it('refuses a file that is not valid YAML', () => {
      const path = yamlFile('http: [unclosed\n  port: : :\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.message).toContain('is not valid YAML');
    });

    it('refuses a file that cannot be read, naming MCP_CONFIG', () => {
      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: join(dir, 'missing.yaml') } }));

      expect(error.message).toContain('MCP_CONFIG: cannot read');
    });

    it('names the key, the file and the overriding variable of a bad YAML value', () => {
      const path = yamlFile('sessions:\n  mode: sometimes\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.problems).toEqual([
        `sessions.mode: must be one of the following values: stateful, stateless (from ${path}; override with MCP_SESSION_MODE)`,
      ]);
    });

    it('names the file without a variable for a key no variable overrides', () => {
      const path = yamlFile('redis:\n  commandTimeoutMs: 5\n');

      const error = captureError(() => loadConfig({ env: { MCP_CONFIG: path } }));

      expect(error.problems).toEqual([`redis.commandTimeoutMs: must not be less than 50 (from ${path})`]);
    });
  });

  describe('environment', () => {
    it('overrides the YAML file', () => {
      const path = yamlFile('http:\n  port: 8080\nsessions:\n  mode: stateless\n');

      const sut = loadConfig({ env: { MCP_CONFIG: path, PORT: '9090', MCP_SESSION_MODE: 'stateful' } });

      expect(sut.http.port).toBe(9090);
      expect(sut.sessions.mode).toBe('stateful');
    });

    it('reads PORT as a number', () => {
      const sut = loadConfig({ env: { PORT: '4000' } });

      expect(sut.http.port).toBe(4000);
    });

    it('reads MCP_ALLOWED_HOSTS as a comma list, trimming and dropping empty items', () => {
      const sut = loadConfig({ env: { MCP_ALLOWED_HOSTS: ' mcp.example.com, localhost ,,' } });

      expect(sut.http.allowedHosts).toEqual(['mcp.example.com', 'localhost']);
    });

    it('reads REDIS_URL', () => {
      const sut = loadConfig({ env: { REDIS_URL: 'redis://redis:6379/0' } });

      expect(sut.redisUrl).toBe('redis://redis:6379/0');
    });

    it('ignores a variable set to the empty string', () => {
      const sut = loadConfig({ env: { PORT: '' } });

      expect(sut.http.port).toBe(3000);
    });

    it('names the key and the variable of a bad session mode', () => {
      const error = captureError(() => loadConfig({ env: { MCP_SESSION_MODE: 'sometimes' } }));

      expect(error.problems).toEqual([
        'sessions.mode: must be one of the following values: stateful, stateless (from environment variable MCP_SESSION_MODE)',
      ]);
    });

    it('names the key and the variable of a non-numeric port', () => {
      const error = captureError(() => loadConfig({ env: { PORT: 'eighty' } }));

      expect(error.message).toMatch(/http\.port: .*must be an integer number.* \(from environment variable PORT\)/);
    });

    it('names the key and the variable of a port out of range', () => {
      const error = captureError(() => loadConfig({ env: { PORT: '70000' } }));

      expect(error.problems).toEqual(['http.port: must not be greater than 65535 (from environment variable PORT)']);
    });

    it('names the key and the variable of a Redis URL with another scheme', () => {
      const error = captureError(() => loadConfig({ env: { REDIS_URL: 'http://redis:6379' } }));

      expect(error.problems).toEqual(['redisUrl: must start with redis:// or rediss:// (from environment variable REDIS_URL)']);
    });

    it('lists every bad key in one error', () => {
      const error = captureError(() => loadConfig({ env: { PORT: 'eighty', MCP_SESSION_MODE: 'sometimes' } }));

      expect(error.problems).toHaveLength(2);
      expect(error.problems.some((problem) => problem.startsWith('http.port:') && problem.endsWith('(from environment variable PORT)'))).toBe(true);
      expect(
        error.problems.some((problem) => problem.startsWith('sessions.mode:') && problem.endsWith('(from environment variable MCP_SESSION_MODE)')),
      ).toBe(true);
    });
  });

  describe('overrides', () => {
    it('apply above the environment', () => {
      const sut = loadConfig({ env: { PORT: '4000' }, overrides: { http: { port: 5000 } } });

      expect(sut.http.port).toBe(5000);
      expect(sut.http.host).toBe('0.0.0.0');
    });

    it('are named in errors, with the variable that would override the key', () => {
      const error = captureError(() => loadConfig({ env: {}, overrides: { http: { port: -1 } } }));

      expect(error.problems).toEqual(['http.port: must not be less than 0 (from loadConfig() overrides; override with PORT)']);
    });

    it('refuse unknown keys', () => {
      const error = captureError(() => loadConfig({ env: {}, overrides: { sesions: { mode: 'stateless' } } }));

      expect(error.problems).toEqual(['sesions: unknown key (did you mean "sessions"?) (from loadConfig() overrides)']);
    });

    it('are not changed by the load', () => {
      const overrides = { http: { allowedHosts: ['a.example'] } };

      loadConfig({ env: {}, overrides }).http.allowedHosts.push('b.example');

      expect(overrides.http.allowedHosts).toEqual(['a.example']);
    });
  });

  describe('nodeId', () => {
    it('is generated from the host name when unset', () => {
      const sut = loadConfig({ env: {} });

      expect(sut.nodeId).toMatch(/^[A-Za-z0-9._:-]+-[0-9a-f]{6}$/);
    });

    it('differs between two loads when generated', () => {
      expect(loadConfig({ env: {} }).nodeId).not.toBe(loadConfig({ env: {} }).nodeId);
    });

    it('is kept when NODE_ID is set', () => {
      const sut = loadConfig({ env: { NODE_ID: 'replica-1' } });

      expect(sut.nodeId).toBe('replica-1');
    });

    it('refuses a NODE_ID with characters outside the allowed set', () => {
      const error = captureError(() => loadConfig({ env: { NODE_ID: 'replica 1/a' } }));

      expect(error.problems).toEqual(['nodeId: must be 1-128 characters of A-Z a-z 0-9 . _ : - (from environment variable NODE_ID)']);
    });
  });
});
