import 'reflect-metadata';
import { Injectable, Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getStorageToken } from '@nestjs/throttler';
import {
  AuthModule,
  CredentialVerifier,
  EventStore,
  HealthModule,
  McpModule,
  MessageBus,
  MetricsModule,
  RedisConnection,
  RedisModule,
  SessionModule,
  SessionStore,
  TenantModule,
  TenantResolver,
  ThrottlerStorage,
} from '../src';
import { waitFor } from './helpers/processes';
import { RedisServer, startRedis } from './helpers/redis';

@Injectable()
class Settings {
  readonly nodeId = 'from-a-factory';
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

/**
 * Every module of the package compiles and starts in a testing module with nothing but
 * itself (and, for RedisModule, a real redis-server): no hidden dependency on the platform
 * app's config or on another module.
 */
describe('each module, alone', () => {
  let redis: RedisServer;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await redis?.stop();
  });

  async function boot(root: DynamicModule | Type<unknown>): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    apps.push(app);
    await app.init();
    return app;
  }

  it.each<[string, () => DynamicModule | Type<unknown>]>([
    ['McpModule.forRoot()', () => McpModule.forRoot()],
    ['McpModule.forRootAsync({ useFactory })', () => McpModule.forRootAsync({ useFactory: () => ({ sessionMode: 'stateless' as const }) })],
    [
      'McpModule.forRootAsync({ imports, inject, useFactory })',
      () => McpModule.forRootAsync({ imports: [SettingsModule], inject: [Settings], useFactory: (settings: Settings) => ({ nodeId: settings.nodeId }) }),
    ],
    ['SessionModule.forRoot()', () => SessionModule.forRoot()],
    ['TenantModule.forRoot()', () => TenantModule.forRoot()],
    ['AuthModule.forRoot()', () => AuthModule.forRoot()],
    ['MetricsModule.forRoot()', () => MetricsModule.forRoot()],
    ['HealthModule', () => HealthModule],
    ['HealthModule.forRoot()', () => HealthModule.forRoot({ features: { custom: true } })],
  ])('%s', async (_name, root) => {
    await expect(boot(root())).resolves.toBeDefined();
  });

  it('RedisModule.forRoot({ url }) connects to the Redis it is given', async () => {
    const app = await boot(RedisModule.forRoot({ url: redis.url, keyPrefix: 'alone:' }));
    const connection = app.get(RedisConnection);
    expect(connection.keyPrefix).toBe('alone:');
    await waitFor(() => connection.client.status === 'ready', 10_000, 'the Redis connection');
    await expect(connection.client.ping()).resolves.toBe('PONG');
  });

  it('SessionModule.forRoot() keeps sessions in Redis when RedisModule is imported, in memory otherwise', async () => {
    const memory = await boot(SessionModule.forRoot());
    expect(memory.get(SessionStore).constructor.name).toBe('MemorySessionStore');

    const moduleRef = await Test.createTestingModule({ imports: [RedisModule.forRoot({ url: redis.url }), SessionModule.forRoot()] }).compile();
    const shared = moduleRef.createNestApplication({ logger: false });
    apps.push(shared);
    await shared.init();
    expect(shared.get(SessionStore).constructor.name).toBe('RedisSessionStore');
    expect(shared.get(EventStore).constructor.name).toBe('RedisEventStore');
    expect(shared.get(MessageBus).constructor.name).toBe('RedisMessageBus');
  });

  it('AuthModule takes a rate-limit storage of the app’s own', async () => {
    const record = { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
    const storage: ThrottlerStorage = { increment: jest.fn().mockResolvedValue(record) };
    const app = await boot(AuthModule.forRoot({ throttlerStorage: storage }));
    await expect(app.get<ThrottlerStorage>(getStorageToken()).increment('k', 60_000, 5, 0, 'default')).resolves.toEqual(record);
    expect(storage.increment).toHaveBeenCalledWith('k', 60_000, 5, 0, 'default');
  });

  it('the ports have the tokens the package exports', async () => {
    const app = await boot(AuthModule.forRoot());
    expect(app.get(CredentialVerifier).enabled).toBe(false);
    const tenants = await boot(TenantModule.forRoot({ trustGatewayHeaders: true }));
    expect(tenants.get<TenantResolver>(TenantResolver).resolve(undefined, { 'x-tenant-id': 'acme' })).toEqual({ tenantId: 'acme' });
  });
});
