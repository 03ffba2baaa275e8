import type { EventStore, StoredEvent, StreamListener, StreamReplay } from '../event-store.interface';
import { parseEventId } from '../event-store.interface';
import { BUS_CHANNELS } from '../message-bus.interface';
import { StoreUnavailableError } from '../session-store.exception';
import type { EventStoreLimits } from '../memory-event.store';
import { RedisClient, sessionKey } from './redis.connection';
import type { RedisMessageBus } from './redis-message.bus';

/**
 * Stores one event and publishes it to the stream's channel. KEYS: list, sequence counter.
 * ARGV: sequence (-1: take the next from the counter), message JSON, max events, TTL ms,
 * channel, stream key. Returns the sequence.
 */
const APPEND_SCRIPT = `
local seq = tonumber(ARGV[1])
if seq < 0 then seq = redis.call('INCR', KEYS[2]) - 1 end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('RPUSH', KEYS[1], seq .. ' ' .. ARGV[2])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[5], '{"id":"' .. ARGV[6] .. '#' .. seq .. '","message":' .. ARGV[2] .. '}')
return seq`;

/** Marks a stream ended and keeps it a little longer. KEYS: list, done flag. ARGV: TTL ms, channel. */
const COMPLETE_SCRIPT = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], '{"complete":true}')
return 1`;

/**
 * SSE stream events in Redis, so a client resumes with `Last-Event-ID` on any replica: a
 * bounded list per stream (`<prefix>{<sessionId>}:ev:<streamId>`, hash-tagged with its
 * session), expiring with the session's TTL while open and `completedTtlSeconds` after its
 * end; each append is one script that also publishes the event for live followers.
 */
export class RedisEventStore implements EventStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly bus: RedisMessageBus,
    private readonly prefix: string,
    private readonly limits: EventStoreLimits,
  ) {}

  async append(streamKey: string, message: Record<string, unknown>): Promise<string> {
    const sequence = await this.run('append', streamKey, -1, message);
    return `${streamKey}#${sequence}`;
  }

  async write(streamKey: string, sequence: number, message: Record<string, unknown>): Promise<void> {
    await this.run('write', streamKey, sequence, message);
  }

  async after(eventId: string): Promise<StreamReplay | undefined> {
    const parsed = parseEventId(eventId);
    if (!parsed) return undefined;
    const keys = this.keys(parsed.streamKey);
    const [entries, done] = await this.guard('after', () =>
      Promise.all([this.redis.lrange(keys.list, 0, -1), this.redis.get(keys.done)]),
    );
    const events: StoredEvent[] = entries.map((entry) => {
      const space = entry.indexOf(' ');
      return { id: `${parsed.streamKey}#${entry.slice(0, space)}`, message: JSON.parse(entry.slice(space + 1)) as Record<string, unknown> };
    });
    const sequences = events.map((event) => parseEventId(event.id)!.sequence);
    if (events.length === 0 || parsed.sequence > sequences[sequences.length - 1]) return undefined;
    // Events after the cursor were trimmed away: the client cannot be made whole.
    if (parsed.sequence + 1 < sequences[0]) return undefined;
    return {
      streamKey: parsed.streamKey,
      events: events.filter((_, index) => sequences[index] > parsed.sequence),
      completed: done !== null,
    };
  }

  async complete(streamKey: string, ttlSeconds = this.limits.completedTtlSeconds): Promise<void> {
    const keys = this.keys(streamKey);
    const ttlMs = Math.min(ttlSeconds, this.limits.completedTtlSeconds) * 1000;
    await this.guard('complete', () => this.redis.eval(COMPLETE_SCRIPT, 2, keys.list, keys.done, ttlMs, this.channel(streamKey)));
  }

  async subscribe(streamKey: string, listener: StreamListener): Promise<() => void> {
    const unsubscribe = await this.bus.subscribe(BUS_CHANNELS.stream(streamKey), (payload) => {
      if (payload.complete === true) listener('complete');
      else listener({ id: String(payload.id), message: payload.message as Record<string, unknown> });
    });
    // Ended before we listened: say so now.
    const done = await this.guard('subscribe', () => this.redis.get(this.keys(streamKey).done));
    if (done !== null) listener('complete');
    return () => void unsubscribe();
  }

  async deleteSession(): Promise<void> {
    // Each stream expires with its TTL; a DELETE need not find them.
  }

  private async run(operation: string, streamKey: string, sequence: number, message: Record<string, unknown>): Promise<number> {
    const keys = this.keys(streamKey);
    return this.guard(operation, async () =>
      Number(
        await this.redis.eval(
          APPEND_SCRIPT,
          2,
          keys.list,
          keys.sequence,
          sequence,
          JSON.stringify(message),
          this.limits.maxEventsPerStream,
          this.limits.openTtlSeconds * 1000,
          this.channel(streamKey),
          streamKey,
        ),
      ),
    );
  }

  private channel(streamKey: string): string {
    return this.bus.channelName(BUS_CHANNELS.stream(streamKey));
  }

  private keys(streamKey: string): { list: string; sequence: string; done: string } {
    const slash = streamKey.indexOf('/');
    const sessionId = streamKey.slice(0, slash);
    const streamId = streamKey.slice(slash + 1);
    return {
      list: sessionKey(this.prefix, sessionId, `ev:${streamId}`),
      sequence: sessionKey(this.prefix, sessionId, `evseq:${streamId}`),
      done: sessionKey(this.prefix, sessionId, `evdone:${streamId}`),
    };
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new StoreUnavailableError(`events.${operation}`, error);
    }
  }
}
