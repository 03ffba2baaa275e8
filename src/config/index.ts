export * from './app-config';
export { APP_CONFIG, InjectAppConfig } from './config.constants';
export { ConfigValidationError } from './config.exception';
export { loadConfig, LoadConfigOptions } from './config.loader';
export { ConfigModule } from './config.module';
export {
  authConfig,
  CONFIG_NAMESPACES,
  type ConfigSectionName,
  gatewayConfig,
  httpConfig,
  loggingConfig,
  mcpConfig,
  metricsConfig,
  rateLimitConfig,
  redisConfig,
  sessionsConfig,
  shutdownConfig,
  auditConfig,
  tenantsConfig,
  toolPacksConfig,
} from './config.namespaces';
