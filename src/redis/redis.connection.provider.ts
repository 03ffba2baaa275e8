import { Logger, OnModuleDestroy } from '@nestjs/common';
import { RedisClient, RedisConnectionOptions, createRedisClient } from './redis.connection';

/** Owns the platform's Redis connection: logs its state, quits it at shutdown. */
export class RedisConnection implements OnModuleDestroy {
  private readonly logger = new Logger('Redis');
  readonly client: RedisClient;

  constructor(options: RedisConnectionOptions) {
    this.client = createRedisClient(options);
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

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
