import { ConfigFactory, registerAs } from '@nestjs/config';
import type { AppConfig } from './app-config';

/** The top-level sections of {@link AppConfig}, each a `@nestjs/config` namespace. */
export type ConfigSectionName =
  'http' | 'sessions' | 'redis' | 'auth' | 'tenants' | 'rateLimit' | 'metrics' | 'logging' | 'mcp' | 'gateway' | 'toolPacks' | 'shutdown' | 'audit';

/**
 * A namespace whose value is the section of the config given to `ConfigModule.forRoot()`.
 * Its own factory is never the one loaded: `forRoot` registers one bound to that config under
 * the same token, so `KEY`, `ConfigType<typeof …>` and `ConfigService.get('<section>.…')` work,
 * and two apps in one process keep their own configs. Registering it elsewhere
 * (`ConfigModule.forFeature(ns)`, `ns.asProvider()`) would bypass the validated config, so
 * calling it fails with a message saying so.
 */
function namespace<K extends ConfigSectionName>(section: K) {
  return registerAs(section, (): AppConfig[K] => {
    throw new Error(
      `The "${section}" config namespace is provided by ConfigModule.forRoot(loadConfig()) from src/config: ` +
        `inject it with @Inject(${section}Config.KEY); do not register it with ConfigModule.forFeature() or asProvider().`,
    );
  });
}

/** `http.*`: adapter, port, host, allowed hosts and origins, body limit. */
export const httpConfig = namespace('http');
/** `sessions.*`: mode and idle TTL. */
export const sessionsConfig = namespace('sessions');
/** `redis.*`: mode, key prefix, sentinels, cluster nodes, timeouts (the URL is the top-level `redisUrl`). */
export const redisConfig = namespace('redis');
/** `auth.*`: API keys and JWT. */
export const authConfig = namespace('auth');
/** `tenants.<id>`: per-tenant rules. */
export const tenantsConfig = namespace('tenants');
/** `rateLimit.*`: the default and anonymous limits. */
export const rateLimitConfig = namespace('rateLimit');
/** `metrics.*` */
export const metricsConfig = namespace('metrics');
/** `logging.*` */
export const loggingConfig = namespace('logging');
/** `mcp.*`: tool timeout, response mode, retry interval, instructions. */
export const mcpConfig = namespace('mcp');
/** `gateway.*` */
export const gatewayConfig = namespace('gateway');
/** `toolPacks.*` */
export const toolPacksConfig = namespace('toolPacks');
/** `shutdown.*` */
export const shutdownConfig = namespace('shutdown');
/** `audit.*`: the audit trail. */
export const auditConfig = namespace('audit');

/** Every namespace, by section name. */
export const CONFIG_NAMESPACES = {
  http: httpConfig,
  sessions: sessionsConfig,
  redis: redisConfig,
  auth: authConfig,
  tenants: tenantsConfig,
  rateLimit: rateLimitConfig,
  metrics: metricsConfig,
  logging: loggingConfig,
  mcp: mcpConfig,
  gateway: gatewayConfig,
  toolPacks: toolPacksConfig,
  shutdown: shutdownConfig,
  audit: auditConfig,
} as const;

/**
 * What `ConfigModule.forRoot(config)` loads into `@nestjs/config`: one factory per namespace,
 * under the namespace's token, returning `config`'s section; and the top-level scalars
 * (`nodeId`, `redisUrl`) at the root, so `ConfigService.get()` takes the config file's key paths.
 */
export function configFactories(config: AppConfig): ConfigFactory[] {
  const sections = (Object.keys(CONFIG_NAMESPACES) as ConfigSectionName[]).map((section) => registerAs(section, () => config[section]));
  const root: ConfigFactory = () => ({ nodeId: config.nodeId, redisUrl: config.redisUrl });
  return [...sections, root];
}
