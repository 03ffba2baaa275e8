import type { SessionStore } from '../session-store.interface';
import type { McpSession, McpSessionPatch } from '../session.interface';
import { StoreUnavailableError } from '../session-store.exception';
import { RedisClient, sessionKey } from './redis.connection';

/** Sets fields of a live session and slides its TTL, atomically; 0 when it does not exist. */
const UPDATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * Sessions in Redis, shared by every replica. A session is a hash (one JSON value per
 * field) under `<prefix>{<sessionId>}:session`, hash-tagged for Cluster, with a sliding
 * PX TTL; reading it slides the TTL in the same round trip. A sorted set of expiry times
 * gives the live count without scanning keys.
 */
export class RedisSessionStore implements SessionStore {
  private readonly ttlMs: number;
  private readonly indexKey: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    ttlSeconds: number,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    this.indexKey = `${prefix}sessions`;
  }

  create(session: McpSession): Promise<void> {
    return this.guard('create', async () => {
      const key = this.key(session.id);
      // Sent together (auto-pipelined): one round trip.
      await Promise.all([
        this.redis.multi().hset(key, encode(session)).pexpire(key, this.ttlMs).exec().then(checkExec),
        this.redis.zadd(this.indexKey, Date.now() + this.ttlMs, session.id),
      ]);
    });
  }

  get(id: string): Promise<McpSession | undefined> {
    return this.guard('get', async () => {
      const key = this.key(id);
      const [fields] = await Promise.all([
        this.redis.multi().hgetall(key).pexpire(key, this.ttlMs).exec().then((replies) => checkExec(replies)[0] as Record<string, string>),
        // XX: only sessions that exist; keeps probes with unknown ids out of the count.
        this.redis.zadd(this.indexKey, 'XX', Date.now() + this.ttlMs, id),
      ]);
      return decode(fields);
    });
  }

  update(id: string, patch: McpSessionPatch): Promise<void> {
    return this.guard('update', async () => {
      const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
      if (entries.length === 0) return;
      const args = entries.flatMap(([field, value]) => [field, JSON.stringify(value)]);
      await this.redis.eval(UPDATE_SCRIPT, 1, this.key(id), this.ttlMs, ...args);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.guard('delete', async () => {
      const [deleted] = await Promise.all([this.redis.del(this.key(id)), this.redis.zrem(this.indexKey, id)]);
      return deleted > 0;
    });
  }

  count(): Promise<number> {
    return this.guard('count', async () => {
      await this.redis.zremrangebyscore(this.indexKey, '-inf', Date.now());
      return this.redis.zcard(this.indexKey);
    });
  }

  subscribe(sessionId: string, uri: string): Promise<void> {
    return this.guard('subscribe', async () => {
      await this.redis.sadd(this.subscribersKey(uri), sessionId);
    });
  }

  unsubscribe(sessionId: string, uri: string): Promise<void> {
    return this.guard('unsubscribe', async () => {
      await this.redis.srem(this.subscribersKey(uri), sessionId);
    });
  }

  subscribers(uri: string): Promise<string[]> {
    return this.guard('subscribers', async () => {
      const key = this.subscribersKey(uri);
      const ids = await this.redis.smembers(key);
      const alive = await Promise.all(ids.map((id) => this.redis.exists(this.key(id))));
      const dead = ids.filter((_, index) => alive[index] === 0);
      // Sessions that ended or expired drop out here rather than on every delete.
      if (dead.length > 0) await this.redis.srem(key, ...dead);
      return ids.filter((_, index) => alive[index] === 1);
    });
  }

  ping(): Promise<void> {
    return this.guard('ping', async () => {
      await this.redis.ping();
    });
  }

  private key(id: string): string {
    return sessionKey(this.prefix, id, 'session');
  }

  private subscribersKey(uri: string): string {
    return `${this.prefix}subscribers:${uri}`;
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new StoreUnavailableError(operation, error);
    }
  }
}

function encode(session: McpSession): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(session)) if (value !== undefined) fields[field] = JSON.stringify(value);
  return fields;
}

function decode(fields: Record<string, string> | null | undefined): McpSession | undefined {
  if (!fields || !fields.id) return undefined;
  const session: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) session[field] = JSON.parse(value);
  return session as unknown as McpSession;
}

function checkExec(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (!replies) throw new Error('transaction aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
