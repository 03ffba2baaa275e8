import 'reflect-metadata';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigModule as NestConfigModule, ConfigService, ConfigType } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { AppConfig } from './app-config';
import { APP_CONFIG } from './config.constants';
import { loadConfig } from './config.loader';
import { ConfigModule } from './config.module';
import { CONFIG_NAMESPACES, ConfigSectionName, sessionsConfig, tenantsConfig } from './config.namespaces';
import { configSchema } from './config.schema';

@Injectable()
class SessionsConsumer {
  constructor(
    @Inject(sessionsConfig.KEY) readonly sessions: ConfigType<typeof sessionsConfig>,
    @Inject(tenantsConfig.KEY) readonly tenants: ConfigType<typeof tenantsConfig>,
  ) {}
}

describe(ConfigModule.name, () => {
  let moduleRef: TestingModule | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function compile(config: AppConfig, providers: Array<typeof SessionsConsumer> = []): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config)], providers }).compile();
    return moduleRef;
  }

  it('serves the config file key paths through ConfigService', async () => {
    const config = loadConfig({
      env: { MCP_SESSION_TTL_SECONDS: '90', NODE_ID: 'node-a', REDIS_URL: 'redis://r:6379' },
      overrides: { http: { port: 4100 } },
    });
    const sut = (await compile(config)).get(ConfigService);

    expect(sut.get('sessions.ttlSeconds')).toBe(90);
    expect(sut.get('sessions')).toEqual({ mode: 'stateful', ttlSeconds: 90, maxPerPrincipal: 1000, maxPerTenant: 10_000 });
    expect(sut.get('http.port')).toBe(4100);
    expect(sut.get('redis.keyPrefix')).toBe('mcp:');
    expect(sut.get('nodeId')).toBe('node-a');
    expect(sut.get('redisUrl')).toBe('redis://r:6379');
  });

  it('types ConfigService by AppConfig', async () => {
    const config = loadConfig({ env: {} });
    const sut: ConfigService<AppConfig, true> = (await compile(config)).get(ConfigService);

    const mode: 'stateful' | 'stateless' = sut.get('sessions.mode', { infer: true });
    const port: number = sut.get('http.port', { infer: true });

    expect([mode, port]).toEqual(['stateful', 3000]);
  });

  it('injects a namespace by its KEY, as the same objects as APP_CONFIG', async () => {
    const config = loadConfig({ env: {}, overrides: { sessions: { mode: 'stateless' }, tenants: { acme: {} } } });
    const app = await compile(config, [SessionsConsumer]);

    const sut = app.get(SessionsConsumer);

    expect(sut.sessions).toEqual({ mode: 'stateless', ttlSeconds: 1800, maxPerPrincipal: 1000, maxPerTenant: 10_000 });
    expect(sut.sessions).toBe(app.get<AppConfig>(APP_CONFIG).sessions);
    expect(Object.keys(sut.tenants)).toEqual(['acme']);
  });

  it('provides every namespace, each the section of the config', async () => {
    const config = loadConfig({ env: {} });
    const app = await compile(config);

    for (const [section, namespace] of Object.entries(CONFIG_NAMESPACES)) {
      expect(app.get(namespace.KEY)).toBe(config[section as ConfigSectionName]);
    }
  });

  it('has a namespace for every mapping at the top of the config', () => {
    const mappings = [...configSchema().keys].filter(([, key]) => key.node.kind !== 'value').map(([name]) => name);

    expect(Object.keys(CONFIG_NAMESPACES).sort()).toEqual(mappings.sort());
  });

  it('keeps providing the whole config under APP_CONFIG', async () => {
    const config = loadConfig({ env: {} });

    expect((await compile(config)).get(APP_CONFIG)).toBe(config);
  });

  it('reads neither process.env nor a .env file through ConfigService', async () => {
    process.env.MCP_CONFIG_MODULE_SPEC = 'leak';
    try {
      const sut = (await compile(loadConfig({ env: {} }))).get(ConfigService);

      expect(sut.get('MCP_CONFIG_MODULE_SPEC')).toBeUndefined();
    } finally {
      delete process.env.MCP_CONFIG_MODULE_SPEC;
    }
  });

  it('keeps each app on its own config', async () => {
    const first = await Test.createTestingModule({ imports: [ConfigModule.forRoot(loadConfig({ env: { PORT: '4001' } }))] }).compile();
    const second = await Test.createTestingModule({ imports: [ConfigModule.forRoot(loadConfig({ env: { PORT: '4002' } }))] }).compile();
    try {
      expect(first.get(ConfigService).get('http.port')).toBe(4001);
      expect(second.get(ConfigService).get('http.port')).toBe(4002);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('refuses a namespace registered outside ConfigModule.forRoot, saying how to inject it', async () => {
    const compiling = Test.createTestingModule({ imports: [NestConfigModule.forFeature(sessionsConfig)] }).compile();

    await expect(compiling).rejects.toThrow(/provided by ConfigModule\.forRoot\(loadConfig\(\)\).*@Inject\(sessionsConfig\.KEY\)/);
  });
});
