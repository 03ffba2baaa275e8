import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { APP_CONFIG } from './config.constants';
import { configFactories } from './config.namespaces';

/**
 * Makes the validated {@link AppConfig} injectable everywhere: as `@nestjs/config` namespaces
 * (`@Inject(sessionsConfig.KEY) sessions: ConfigType<typeof sessionsConfig>`, and
 * `ConfigService.get('sessions.ttlSeconds')`), and whole under `APP_CONFIG` (`@InjectAppConfig()`).
 *
 * The config is loaded and validated before the app is built (`loadConfig()`); this module
 * only publishes it. `ConfigService` reads nothing else: no `.env` file, no `process.env`.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      imports: [NestConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, load: configFactories(config) })],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
