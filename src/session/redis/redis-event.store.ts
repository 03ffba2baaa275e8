import type { EventStore, NumberedEvent, StoredEvent, StreamEnd, StreamListener, StreamReplay } from '../event-store.interface';
import { parseEventId } from '../event-store.interface';
import { BUS_CHANNELS } from '../message-bus.interface';
import { StoreUnavailableError } from '../session-store.exception';
import type { EventStoreLimits } from '../memory-event.store';
import { RedisClient, sessionKey } from '../../redis/redis.connection';
import type { RedisMessageBus } from './redis-message.bus';

/**
 * Stores one event at the next sequence and publishes it to the stream's channel. KEYS:
 * list, sequence counter. ARGV: message JSON, max events, TTL ms, channel, stream key.
 * Returns the sequence.
 */
const APPEND_SCRIPT = `
local seq = redis.call('INCR', KEYS[2]) - 1
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[1], seq .. ' ' .. ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], '{"id":"' .. ARGV[5] .. '#' .. seq .. '","message":' .. ARGV[1] .. '}')
return seq`;

/**
 * Stores events numbered by their writer, publishing each, then (with an end TTL) marks the
 * stream ended. KEYS: list, done flag. ARGV: max events, open TTL ms, channel, stream key,
 * end TTL ms ('' to leave it open), then sequence and message JSON per event.
 */
const WRITE_SCRIPT = `
for i = 6, #ARGV, 2 do
  redis.call('RPUSH', KEYS[1], ARGV[i] .. ' ' .. ARGV[i + 1])
  redis.call('PUBLISH', ARGV[3], '{"id":"' .. ARGV[4] .. '#' .. ARGV[i] .. '","message":' .. ARGV[i + 1] .. '}')
end
if #ARGV >= 6 then redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1) end
if ARGV[5] == '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('PUBLISH', ARGV[3], '{"complete":true}')
end
return 1`;

/** The scripts, sent once and then run by SHA (ioredis `defineCommand`: EVALSHA, EVAL on NOSCRIPT). */
interface EventScripts {
  mcpAppendEvent(list: string, sequence: string, message: string, maxEvents: number, ttlMs: number, channel: string, streamKey: string): Promise<number>;
  mcpWriteEvents(list: string, done: string, ...args: Array<string | number>): Promise<number>;
}

/**
 * SSE stream events in Redis, so a client resumes with `Last-Event-ID` on any replica: a
 * bounded list per stream (`<prefix>{<sessionId>}:ev:<streamId>`, hash-tagged with its
 * session), expiring with the session's TTL while open and `completedTtlSeconds` after its
 * end; each append is one script that also publishes the event for live followers.
 */
export class RedisEventStore implements EventStore {
  private readonly scripts: EventScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly bus: RedisMessageBus,
    private readonly prefix: string,
    private readonly limits: EventStoreLimits,
  ) {
    redis.defineCommand('mcpAppendEvent', { numberOfKeys: 2, lua: APPEND_SCRIPT });
    redis.defineCommand('mcpWriteEvents', { numberOfKeys: 2, lua: WRITE_SCRIPT });
    this.scripts = redis as unknown as EventScripts;
  }

  async append(streamKey: string, message: Record<string, unknown>): Promise<string> {
    const keys = this.keys(streamKey);
    const sequence = await this.guard('append', () =>
      this.scripts.mcpAppendEvent(
        keys.list,
        keys.sequence,
        JSON.stringify(message),
        this.limits.maxEventsPerStream,
        this.limits.openTtlSeconds * 1000,
        this.channel(streamKey),
        streamKey,
      ),
    );
    return `${streamKey}#${sequence}`;
  }

  async write(streamKey: string, events: readonly NumberedEvent[], end?: StreamEnd): Promise<void> {
    const keys = this.keys(streamKey);
    const args: Array<string | number> = [
      this.limits.maxEventsPerStream,
      this.limits.openTtlSeconds * 1000,
      this.channel(streamKey),
      streamKey,
      end ? this.completedTtlMs(end.ttlSeconds) : '',
    ];
    for (const { sequence, message } of events) args.push(sequence, JSON.stringify(message));
    await this.guard('write', () => this.scripts.mcpWriteEvents(keys.list, keys.done, ...args));
  }

  async after(eventId: string): Promise<StreamReplay | undefined> {
    const parsed = parseEventId(eventId);
    if (!parsed) return undefined;
    const keys = this.keys(parsed.streamKey);
    const [entries, done] = await this.guard('after', () => Promise.all([this.redis.lrange(keys.list, 0, -1), this.redis.get(keys.done)]));
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

  async complete(streamKey: string, ttlSeconds?: number): Promise<void> {
    await this.write(streamKey, [], { ttlSeconds });
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

  private completedTtlMs(ttlSeconds = this.limits.completedTtlSeconds): number {
    return Math.min(ttlSeconds, this.limits.completedTtlSeconds) * 1000;
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
