import { Logger } from '@nestjs/common';
import { RedisConnection } from '../src/redis/redis.connection.provider';
import { JSONRPC_ERROR } from '../src/mcp/mcp.constants';
import { McpProtocolError } from '../src/mcp/mcp.exception';
import { MCP_DEFAULT_OPTIONS } from '../src/mcp/mcp.module-definition';
import type { McpModuleOptions } from '../src/mcp/mcp-module-options.interface';
import { RequestStateBinding, RequestStateSealer } from '../src/mcp/edges/modern/request-state.sealer';
import { StoreUnavailableError } from '../src/session/session-store.exception';
import { RedisServer, startRedis } from './helpers/redis';

const BINDING: RequestStateBinding = { principal: 'alice', tenant: 'acme', method: 'tools/call', target: 'book', args: { seats: 2 } };
const PAYLOAD = { answers: { 'elicit-0': { action: 'accept', content: { ok: true } } } };
const SHARED_KEY = 'mcp:request-state-key';

/** The key that seals 2026-07-28 requestState, shared by replicas through a real Redis when none is configured. */
describe('a requestState key shared through Redis (no mcp.stateKeys)', () => {
  let redis: RedisServer;
  const connections: RedisConnection[] = [];
  /** A connection that is ready: commands fail at once while disconnected (no offline queue). */
  const connect = (url = redis.url) => {
    const connection = new RedisConnection({
      url,
      mode: 'standalone',
      sentinels: [],
      sentinelName: 'mymaster',
      clusterNodes: [],
      commandTimeoutMs: 500,
      keyPrefix: 'mcp:',
    });
    connections.push(connection);
    return connection;
  };
  const ready = async (connection: RedisConnection) => {
    if (connection.client.status !== 'ready') await new Promise((resolve) => connection.client.once('ready', resolve));
    return connection;
  };
  const replica = async (connection = connect()) =>
    new RequestStateSealer({ ...MCP_DEFAULT_OPTIONS, stateKeys: [] } as McpModuleOptions, await ready(connection));
  const reason = async (opening: Promise<unknown>) =>
    opening.then(
      () => 'opened',
      (error: unknown) => {
        if (!(error instanceof McpProtocolError) || error.code !== JSONRPC_ERROR.INVALID_PARAMS) throw error;
        return (error.data as { reason: string }).reason;
      },
    );

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(connections.splice(0).map((connection) => connection.onApplicationShutdown()));
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('is set by the first replica that needs it, with a TTL, read by the others, and needs no warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const inspect = await ready(connect());
    await inspect.client.del(SHARED_KEY);
    const [a, b] = [await replica(), await replica()];
    a.onModuleInit();
    b.onModuleInit();
    expect(await inspect.client.exists(SHARED_KEY)).toBe(0);

    const state = await a.seal(PAYLOAD, BINDING);
    expect(await b.open(state, BINDING)).toMatchObject(PAYLOAD);
    expect(await a.open(await b.seal(PAYLOAD, BINDING), BINDING)).toMatchObject(PAYLOAD);
    expect(await inspect.client.ttl(SHARED_KEY)).toBeGreaterThan(0);
    expect(warn).not.toHaveBeenCalledWith(expect.objectContaining({ msg: expect.stringContaining('no mcp.stateKeys') }));
  });

  it('is not shared with replicas of another Redis', async () => {
    const other = await startRedis();
    try {
      const state = await (await replica()).seal(PAYLOAD, BINDING);
      expect(await reason((await replica(connect(other.url))).open(state, BINDING))).toBe('unknown_key');
    } finally {
      await other.stop();
    }
  }, 30_000);

  it('survives Redis losing the key: an older replica learns the new one, and still opens its own states', async () => {
    const inspect = await ready(connect());
    const old = await replica();
    const before = await old.seal(PAYLOAD, BINDING);
    await inspect.client.del(SHARED_KEY);
    const fresh = await replica();
    const after = await fresh.seal(PAYLOAD, BINDING);
    expect(await reason(fresh.open(before, BINDING))).toBe('unknown_key');

    // A state of the new key reaches the old replica: it reads the key again (a few seconds apart at most).
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 10_000);
    expect(await old.open(after, BINDING)).toMatchObject(PAYLOAD);
    expect(await old.open(before, BINDING)).toMatchObject(PAYLOAD);
  });

  it('answers "store unavailable" while Redis is down and works again once it is back, with no restart', async () => {
    const sealer = await replica();
    await redis.stop();
    try {
      await expect(sealer.seal(PAYLOAD, BINDING)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await redis.restart();
    }
    let state: string | undefined;
    for (let attempt = 0; attempt < 50 && state === undefined; attempt++) {
      state = await sealer.seal(PAYLOAD, BINDING).catch(() => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)));
    }
    expect(await sealer.open(state!, BINDING)).toMatchObject(PAYLOAD);
  }, 30_000);
});
