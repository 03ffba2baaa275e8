import { MemoryEventStore, streamKeyOf } from '../../../session';
import type { McpPorts } from '../../mcp.ports';
import { STANDALONE_STREAM_ID, StandaloneStreamRegistry } from './standalone-stream.registry';

describe(StandaloneStreamRegistry.name, () => {
  let now: number;
  let events: MemoryEventStore;
  let sut: StandaloneStreamRegistry;

  beforeEach(() => {
    now = 1_000_000;
    events = new MemoryEventStore({ maxEventsPerStream: 10, openTtlSeconds: 60, completedTtlSeconds: 300 }, () => now);
    sut = new StandaloneStreamRegistry({ events } as unknown as McpPorts);
  });

  afterEach(() => events.onApplicationShutdown());

  it('ends a deleted session’s stream for its followers, and keeps the end marker a second, not the completed-stream TTL', async () => {
    const key = streamKeyOf('s1', STANDALONE_STREAM_ID);
    const heard: unknown[] = [];
    await events.subscribe(key, (event) => heard.push(event));
    const first = await events.append(key, { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });

    await sut.end('s1');
    expect(heard.at(-1)).toBe('complete');
    expect(await events.after(first)).toMatchObject({ completed: true });

    // A churning client (initialize, call, DELETE) would otherwise leave one marker per session for 5 minutes.
    now += 1_001;
    expect(await events.after(first)).toBeUndefined();
  });
});
