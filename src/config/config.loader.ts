import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { AppConfig, TenantConfig } from './app-config';
import { DEFAULT_CONFIG_PATH, ENV_OVERRIDES } from './config.constants';
import { CONFIG_DEFAULTS } from './config.defaults';
import { ConfigValidationError } from './config.exception';

type Plain = Record<string, unknown>;

/** Project root, whether running from `src/` (tests) or `dist/` (built). */
const PROJECT_ROOT = resolve(__dirname, '..', '..');

const LIST_KEYS = new Set<string>(['http.allowedHosts', 'redis.sentinels', 'redis.clusterNodes']);
const NUMBER_KEYS = new Set<string>([
  'http.port',
  'http.bodyLimitBytes',
  'sessions.ttlSeconds',
  'mcp.defaultToolTimeoutMs',
  'metrics.tenantLabelLimit',
  'shutdown.graceSeconds',
]);
const BOOLEAN_KEYS = new Set<string>(['metrics.enabled']);

export interface LoadConfigOptions {
  /** Environment to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Values applied last, above the environment (tests and embedding). */
  overrides?: Plain;
}

/**
 * Builds the validated config: embedded defaults ← YAML (`MCP_CONFIG`, default
 * `config/default.yaml`) ← environment ← overrides. Throws {@link ConfigValidationError}
 * naming each bad key (and the variable it came from).
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const file = readYaml(env.MCP_CONFIG);
  const merged = deepMerge(structuredClone(CONFIG_DEFAULTS) as Plain, file);
  const fromEnv = applyEnv(merged, env);
  if (options.overrides) {
    deepMerge(merged, options.overrides);
    for (const path of leafPaths(options.overrides)) fromEnv.delete(path);
  }
  if (merged.nodeId === undefined) merged.nodeId = generateNodeId();

  const config = plainToInstance(AppConfig, merged);
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
  const problems = flatten(errors).map((p) => describe(p, fromEnv));
  problems.push(...validateTenants(config));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

/** `tenants` is a map keyed by tenant id: each key and entry is checked here. */
function validateTenants(config: AppConfig): string[] {
  const problems: string[] = [];
  const raw = (config.tenants ?? {}) as Record<string, unknown>;
  const tenants: Record<string, TenantConfig> = {};
  for (const [id, value] of Object.entries(raw)) {
    if (!TENANT_KEY.test(id)) problems.push(`tenants.${id}: tenant id must match ${TENANT_KEY}`);
    const entry = plainToInstance(TenantConfig, value ?? {});
    const entryErrors = validateSync(entry, { whitelist: true, forbidNonWhitelisted: true });
    problems.push(...flatten(entryErrors).map((p) => `tenants.${id}.${p.path}: ${p.message}`));
    tenants[id] = entry;
  }
  config.tenants = tenants;
  return problems;
}

const TENANT_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

function readYaml(configured: string | undefined): Plain {
  const path = configured ?? DEFAULT_CONFIG_PATH;
  const absolute = isAbsolute(path) ? path : resolve(configured ? process.cwd() : PROJECT_ROOT, path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ConfigValidationError([`MCP_CONFIG: cannot read ${absolute} (${(error as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigValidationError([`MCP_CONFIG: ${absolute} is not valid YAML (${(error as Error).message})`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigValidationError([`MCP_CONFIG: ${absolute} must hold a mapping at the top level`]);
  }
  return parsed as Plain;
}

/** Writes each set variable into its key; returns key → variable for error messages. */
function applyEnv(target: Plain, env: NodeJS.ProcessEnv): Map<string, string> {
  const used = new Map<string, string>();
  for (const [key, variable] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    used.set(key, variable);
    let value: unknown = raw;
    if (LIST_KEYS.has(key)) value = raw.split(',').map((item) => item.trim()).filter(Boolean);
    else if (NUMBER_KEYS.has(key) && /^-?\d+$/.test(raw.trim())) value = Number(raw);
    else if (BOOLEAN_KEYS.has(key) && /^(true|false)$/i.test(raw.trim())) value = raw.trim().toLowerCase() === 'true';
    setPath(target, key, value);
  }
  return used;
}

function setPath(target: Plain, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Plain;
  }
  node[parts[parts.length - 1]] = value;
}

function deepMerge(target: Plain, source: Plain): Plain {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlain(value) && isPlain(current)) deepMerge(current, value);
    else target[key] = value;
  }
  return target;
}

function leafPaths(source: Plain, prefix = ''): string[] {
  return Object.entries(source).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isPlain(value) ? leafPaths(value, path) : [path];
  });
}

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Problem {
  path: string;
  message: string;
}

function flatten(errors: ValidationError[], prefix = ''): Problem[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function describe(problem: Problem, fromEnv: Map<string, string>): string {
  const variable = fromEnv.get(problem.path);
  return `${problem.path}${variable ? ` (from ${variable})` : ''}: ${problem.message}`;
}

function generateNodeId(): string {
  return `${hostname().replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100)}-${randomBytes(3).toString('hex')}`;
}
