import { HealthIndicatorService } from '@nestjs/terminus';
import { MemorySessionStore, SessionStore } from '../session';
import { SessionStoreHealthIndicator } from './session-store.health';

/** Any store that is not the memory one (the Redis store in production). */
function sharedStore(ping: () => Promise<void>): SessionStore {
  return { ping, count: async () => 0 } as unknown as SessionStore;
}

describe(SessionStoreHealthIndicator.name, () => {
  let store: MemorySessionStore;

  beforeEach(() => {
    store = new MemorySessionStore(60);
  });

  it('is up when the store answers its ping', async () => {
    const sut = new SessionStoreHealthIndicator(new HealthIndicatorService(), store);
    expect(await sut.isReachable('sessionStore')).toEqual({ sessionStore: { status: 'up', store: 'memory' } });
  });

  it('is down with the reason when the ping fails', async () => {
    const sut = new SessionStoreHealthIndicator(
      new HealthIndicatorService(),
      sharedStore(() => Promise.reject(new Error('connect ECONNREFUSED'))),
    );
    expect(await sut.isReachable('sessionStore')).toEqual({
      sessionStore: { status: 'down', store: 'redis', message: 'connect ECONNREFUSED' },
    });
  });

  it('is down when the ping does not answer in time', async () => {
    jest.spyOn(store, 'ping').mockReturnValue(new Promise<void>(() => undefined));
    const sut = new SessionStoreHealthIndicator(new HealthIndicatorService(), store);
    const result = await sut.isReachable('sessionStore', 10);
    expect(result.sessionStore).toMatchObject({ status: 'down', message: 'session store ping timed out after 10 ms' });
  });

  it('counts active sessions, or gives null when the store fails', async () => {
    const sut = new SessionStoreHealthIndicator(new HealthIndicatorService(), store);
    expect(await sut.activeSessions()).toBe(0);
    jest.spyOn(store, 'count').mockRejectedValue(new Error('down'));
    expect(await sut.activeSessions()).toBeNull();
  });
});
