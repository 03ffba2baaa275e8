import { SessionStore, sessionOwners } from '../session-store.interface';
import type { McpSession, McpSessionPatch } from '../session.interface';
import { StoreUnavailableError } from '../session-store.exception';
import { RedisClient, sessionKey } from '../../redis/redis.connection';

/** Reads a session and slides its TTL (when it exists): HGETALL's reply. */
const TOUCH_SCRIPT = `
local fields = redis.call('HGETALL', KEYS[1])
if #fields > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return fields`;

/** Sets fields of a live session and slides its TTL, atomically; 0 when it does not exist. */
const UPDATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * Sessions in Redis, shared by every replica. A session is a hash (one JSON value per
 * field) under `<prefix>{<sessionId>}:session`, hash-tagged for Cluster, with a sliding
 * PX TTL; reading it slides the TTL in the same command (a script run by SHA). A sorted
 * set of expiry times gives the live count without scanning keys; a read refreshes it only
 * once per hundredth of the TTL per replica, so a busy session costs one command per
 * request, and the count lets a session go at most that much before it expires.
 */
export class RedisSessionStore implements SessionStore {
  private readonly ttlMs: number;
  private readonly indexKey: string;
  private readonly indexRefreshMs: number;
  /** When this replica last refreshed a session's index entry (cleared when it grows large). */
  private readonly indexedAt = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    ttlSeconds: number,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    this.indexKey = `${prefix}sessions`;
    this.indexRefreshMs = this.ttlMs / 100;
    redis.defineCommand('mcpTouchSession', { numberOfKeys: 1, lua: TOUCH_SCRIPT });
  }

  create(session: McpSession): Promise<void> {
    return this.guard('create', async () => {
      const key = this.key(session.id);
      // Sent together (auto-pipelined): one round trip.
      const expiresAt = Date.now() + this.ttlMs;
      await Promise.all([
        this.redis.multi().hset(key, encode(session)).pexpire(key, this.ttlMs).exec().then(checkExec),
        this.redis.zadd(this.indexKey, expiresAt, session.id),
        ...sessionOwners(session).map((owner) => this.indexOwned(owner, expiresAt, session.id)),
      ]);
    });
  }

  get(id: string): Promise<McpSession | undefined> {
    return this.guard('get', async () => {
      const now = Date.now();
      const touch = (this.redis as unknown as SessionScripts).mcpTouchSession(this.key(id), this.ttlMs);
      if (now - (this.indexedAt.get(id) ?? 0) < this.indexRefreshMs) return decode(pairs(await touch));
      if (this.indexedAt.size >= 10_000) this.indexedAt.clear();
      this.indexedAt.set(id, now);
      // XX: only sessions that exist; keeps probes with unknown ids out of the count.
      const [fields] = await Promise.all([touch, this.redis.zadd(this.indexKey, 'XX', now + this.ttlMs, id)]);
      const session = decode(pairs(fields));
      if (session) await Promise.all(sessionOwners(session).map((owner) => this.indexOwned(owner, now + this.ttlMs, id, 'XX')));
      return session;
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
    this.indexedAt.delete(id);
    return this.guard('delete', async () => {
      const [principal, tenantId] = (await this.redis.hmget(this.key(id), 'principal', 'tenantId')).map((value) =>
        value === null ? undefined : (JSON.parse(value) as string),
      );
      const owners = sessionOwners({ principal, tenantId });
      const [deleted] = await Promise.all([
        this.redis.del(this.key(id)),
        this.redis.zrem(this.indexKey, id),
        ...owners.map((owner) => this.redis.zrem(this.ownedKey(owner), id)),
      ]);
      return deleted > 0;
    });
  }

  countOwned(owner: string): Promise<number> {
    return this.guard('countOwned', async () => {
      const key = this.ownedKey(owner);
      const [, live] = await Promise.all([this.redis.zremrangebyscore(key, '-inf', Date.now()), this.redis.zcard(key)]);
      return live;
    });
  }

  /** An owner's sessions by expiry time; the set itself expires with the last of them. */
  private async indexOwned(owner: string, expiresAt: number, id: string, mode?: 'XX'): Promise<void> {
    const key = this.ownedKey(owner);
    await Promise.all([mode ? this.redis.zadd(key, mode, expiresAt, id) : this.redis.zadd(key, expiresAt, id), this.redis.pexpire(key, this.ttlMs)]);
  }

  private ownedKey(owner: string): string {
    return `${this.prefix}owned:${owner}`;
  }

  count(): Promise<number> {
    return this.guard('count', async () => {
      await this.redis.zremrangebyscore(this.indexKey, '-inf', Date.now());
      return this.redis.zcard(this.indexKey);
    });
  }

  subscribe(sessionId: string, uri: string): Promise<void> {
    return this.guard('subscribe', async () => {
      // Every key the platform writes expires: an abandoned subscription set goes with its sessions.
      const key = this.subscribersKey(uri);
      await Promise.all([this.redis.sadd(key, sessionId), this.redis.pexpire(key, this.ttlMs)]);
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

interface SessionScripts {
  mcpTouchSession(key: string, ttlMs: number): Promise<string[]>;
}

/** HGETALL's flat reply from a script ([field, value, …]) as an object. */
function pairs(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) fields[flat[index]] = flat[index + 1];
  return fields;
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
