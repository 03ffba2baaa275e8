export * from './app-config';
export { APP_CONFIG, InjectAppConfig } from './config.constants';
export { ConfigValidationError } from './config.exception';
export { loadConfig, LoadConfigOptions } from './config.loader';
export { ConfigModule } from './config.module';
