export { RedisModule } from './redis.module';
export type { RedisModuleOptions } from './redis.module';
export { RedisConnection } from './redis.connection.provider';
export type { RedisClient, RedisConnectionOptions } from './redis.connection';
