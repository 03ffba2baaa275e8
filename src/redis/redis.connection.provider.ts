import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { RedisClient, RedisConnectionOptions, createRedisClient } from './redis.connection';

/** Owns the platform's Redis connection (and its key prefix): logs its state, quits it at shutdown. */
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client: RedisClient;
  /** Prefix of every key and channel the platform writes. */
  readonly keyPrefix: string;

  constructor(options: RedisConnectionOptions & { keyPrefix?: string }) {
    this.client = createRedisClient(options);
    this.keyPrefix = options.keyPrefix ?? 'mcp:';
    let down = false;
    this.client.on('error', (error: Error) => {
      if (!down) this.logger.error({ msg: 'Redis connection error', mode: options.mode, error: error.message });
      down = true;
    });
    this.client.on('ready', () => {
      if (down) this.logger.log({ msg: 'Redis connection restored', mode: options.mode });
      down = false;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
