import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { AppConfig, TenantConfig } from './app-config';
import { CONFIG_DIR, ENV_OVERRIDES } from './config.constants';
import { CONFIG_DEFAULTS } from './config.defaults';
import { ConfigValidationError } from './config.exception';
import { describeSource, isPlain, LayeredConfig, Plain } from './config.layers';
import { configSchema, schemaNodeAt } from './config.schema';

/** Project root, whether running from `src/` (tests) or `dist/` (built). */
const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** `NODE_ENV` values that may name `config/<NODE_ENV>.yaml`. */
const NODE_ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const TENANT_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export interface LoadConfigOptions {
  /** Environment to read (`MCP_CONFIG`, `NODE_ENV` and the variables of `ENV_OVERRIDES`); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Values applied last, above the environment (tests and embedding); `null` clears a key as in YAML. */
  overrides?: Plain;
  /** Directory a relative `MCP_CONFIG` is resolved against; defaults to `process.cwd()`. */
  cwd?: string;
  /** Directory of `default.yaml` and `<NODE_ENV>.yaml` (relative to `cwd`); defaults to the project's `config/`. */
  configDir?: string;
}

/**
 * Builds the validated config from these layers, lowest first, each overriding only the keys
 * it names (mappings merged key by key; lists and scalars replaced; `null` clears a key):
 *
 * 1. the embedded defaults (`CONFIG_DEFAULTS`),
 * 2. `config/default.yaml` (when present),
 * 3. `config/<NODE_ENV>.yaml` (when `NODE_ENV` is set and the file exists),
 * 4. the file named by `MCP_CONFIG` (relative to `cwd`; it must exist),
 * 5. the environment variables of `ENV_OVERRIDES`,
 * 6. `options.overrides`.
 *
 * Throws {@link ConfigValidationError} naming each bad key, the layer its value came from and
 * the variable that overrides it.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const layers = new LayeredConfig(configSchema());
  layers.apply(structuredClone(CONFIG_DEFAULTS) as unknown as Plain, { kind: 'default' });

  const fileProblems: string[] = [];
  for (const file of configFiles(env, options, fileProblems)) {
    const values = readYaml(file, fileProblems);
    if (values) layers.apply(values, { kind: 'file', path: file.path });
  }
  if (fileProblems.length > 0) throw new ConfigValidationError([...fileProblems, ...layers.problems]);

  for (const [path, variable] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    layers.set(path, parseVariable(path, raw), { kind: 'env', variable });
  }
  if (options.overrides) layers.apply(structuredClone(options.overrides), { kind: 'override' });
  if (layers.values.nodeId === undefined) layers.set('nodeId', generateNodeId(), { kind: 'generated' });

  const config = plainToInstance(AppConfig, layers.values);
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
  const problems = [...layers.problems, ...describeProblems(flatten(errors), layers)];
  problems.push(...validateTenants(config, layers));
  if (problems.length === 0 && !config.auth.allowAnonymous && !credentialsConfigured(config)) {
    problems.push(
      ...describeProblems(
        [
          {
            path: 'auth.allowAnonymous',
            messages: ['is false, and no auth.apiKeys, auth.jwt or tenants.<id>.jwt is configured: configure credentials, or allow anonymous callers'],
          },
        ],
        layers,
      ),
    );
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

interface ConfigFile {
  path: string;
  /** Names the layer in messages about the file itself. */
  label: string;
  /** A missing file is an error (`MCP_CONFIG`) or skipped (the others). */
  required: boolean;
}

/** default.yaml < NODE_ENV's file < MCP_CONFIG's file; a file named twice is read once, at its highest place. */
function configFiles(env: NodeJS.ProcessEnv, options: LoadConfigOptions, problems: string[]): ConfigFile[] {
  const cwd = options.cwd ?? process.cwd();
  const dir = options.configDir === undefined ? resolve(PROJECT_ROOT, CONFIG_DIR) : resolve(cwd, options.configDir);
  const files: ConfigFile[] = [{ path: resolve(dir, 'default.yaml'), label: 'default config', required: false }];
  const nodeEnv = env.NODE_ENV;
  if (nodeEnv !== undefined && nodeEnv !== '') {
    if (!NODE_ENV_NAME.test(nodeEnv) || nodeEnv.includes('..')) {
      problems.push(`NODE_ENV: "${nodeEnv}" cannot name a config file (1-64 characters of A-Z a-z 0-9 _ . -)`);
    } else {
      files.push({ path: resolve(dir, `${nodeEnv}.yaml`), label: 'NODE_ENV', required: false });
    }
  }
  const configured = env.MCP_CONFIG;
  if (configured !== undefined && configured !== '') {
    const path = isAbsolute(configured) ? configured : resolve(cwd, configured);
    files.push({ path, label: 'MCP_CONFIG', required: true });
  }
  return files.filter((file, index) => !files.slice(index + 1).some((later) => later.path === file.path));
}

function readYaml(file: ConfigFile, problems: string[]): Plain | undefined {
  if (!file.required && !existsSync(file.path)) return undefined;
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (error) {
    problems.push(`${file.label}: cannot read ${file.path} (${(error as Error).message})`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    problems.push(`${file.label}: ${file.path} is not valid YAML (${(error as Error).message})`);
    return undefined;
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlain(parsed)) {
    problems.push(`${file.label}: ${file.path} must hold a mapping at the top level`);
    return undefined;
  }
  return parsed;
}

/** A variable's text as the key's type: comma lists, integers, `true`/`false`; else left as text for validation to refuse. */
function parseVariable(path: string, raw: string): unknown {
  const node = schemaNodeAt(path);
  const type = node?.kind === 'value' ? node.type : 'string';
  const text = raw.trim();
  if (type === 'list')
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (type === 'number' && /^-?\d+$/.test(text)) return Number(text);
  if (type === 'boolean' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return raw;
}

/** `tenants` is a map keyed by tenant id: each key and entry is checked here. */
function validateTenants(config: AppConfig, layers: LayeredConfig): string[] {
  const problems: string[] = [];
  const raw = (config.tenants ?? {}) as Record<string, unknown>;
  if (!isPlain(raw)) return problems;
  const tenants: Record<string, TenantConfig> = {};
  for (const [id, value] of Object.entries(raw)) {
    if (!TENANT_KEY.test(id)) {
      problems.push(...describeProblems([{ path: `tenants.${id}`, messages: [`tenant id must match ${TENANT_KEY}`] }], layers));
    }
    const entry = plainToInstance(TenantConfig, value ?? {});
    const entryErrors = validateSync(entry, { whitelist: true, forbidNonWhitelisted: true });
    problems.push(...describeProblems(flatten(entryErrors, `tenants.${id}`), layers));
    tenants[id] = entry;
  }
  config.tenants = tenants;
  return problems;
}

interface Problem {
  path: string;
  messages: string[];
}

/** One problem per key, its path in the config file's notation (`auth.apiKeys[0].hash`). */
function flatten(errors: ValidationError[], prefix = ''): Problem[] {
  const byPath = new Map<string, string[]>();
  const walk = (list: ValidationError[], at: string): void => {
    for (const error of list) {
      const path = /^\d+$/.test(error.property) ? `${at}[${error.property}]` : at ? `${at}.${error.property}` : error.property;
      const messages = Object.entries(error.constraints ?? {}).map(([name, message]) => clean(name, message, error.property));
      if (messages.length > 0) byPath.set(path, [...(byPath.get(path) ?? []), ...messages]);
      walk(error.children ?? [], path);
    }
  };
  walk(errors, prefix);
  return [...byPath].map(([path, messages]) => ({ path, messages }));
}

/** class-validator's `ttlSeconds must not be less than 1` → `must not be less than 1`: the path already names the key. */
function clean(constraint: string, message: string, property: string): string {
  if (constraint === 'whitelistValidation') return 'unknown key';
  if (constraint === 'nestedValidation') return 'must be a mapping';
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/** `sessions.ttlSeconds: must not be less than 1 (from /etc/mcp/prod.yaml; override with MCP_SESSION_TTL_SECONDS)` */
function describeProblems(problems: Problem[], layers: LayeredConfig): string[] {
  return problems.map(({ path, messages }) => {
    const variable = (ENV_OVERRIDES as Record<string, string>)[path];
    const origin = layers.sourceOf(path);
    const notes: string[] = [];
    let text = messages.join('; ');
    if (origin?.cleared) {
      text = 'is required: null clears optional keys only';
      notes.push(`set to null in ${describeSource(origin.source)}`);
    } else if (origin) {
      notes.push(`from ${describeSource(origin.source)}`);
    }
    if (variable && !(origin?.source.kind === 'env' && origin.source.variable === variable)) notes.push(`override with ${variable}`);
    return `${path}: ${text}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  });
}

function generateNodeId(): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9._:-]/g, '-')
    .slice(0, 100)}-${randomBytes(3).toString('hex')}`;
}

/** API keys, a JWT issuer, or a tenant's own issuer: some way for a caller to authenticate. */
export function credentialsConfigured(config: AppConfig): boolean {
  return config.auth.apiKeys.length > 0 || config.auth.jwt !== undefined || Object.values(config.tenants ?? {}).some((tenant) => tenant.jwt !== undefined);
}
