import { MemorySessionStore } from './memory-session.store';
import type { McpSession } from './session.interface';

const TTL_SECONDS = 60;
const TTL_MS = TTL_SECONDS * 1000;

function session(id: string, overrides: Partial<McpSession> = {}): McpSession {
  return {
    id,
    protocolVersion: '2025-11-25',
    clientCapabilities: {},
    createdAt: 0,
    createdBy: 'node-a',
    ...overrides,
  };
}

describe(MemorySessionStore.name, () => {
  let clock: number;
  let sut: MemorySessionStore;

  beforeEach(() => {
    clock = 1_000_000;
    sut = new MemorySessionStore(TTL_SECONDS, () => clock);
  });

  afterEach(() => {
    sut.onApplicationShutdown();
  });

  describe('create and get', () => {
    it('returns a created session', async () => {
      await sut.create(session('s1', { tenantId: 'acme' }));

      await expect(sut.get('s1')).resolves.toEqual(session('s1', { tenantId: 'acme' }));
    });

    it('returns undefined for an unknown id', async () => {
      await expect(sut.get('nope')).resolves.toBeUndefined();
    });
  });

  describe('update', () => {
    it('merges the patch into a live session', async () => {
      await sut.create(session('s1'));

      await sut.update('s1', { logLevel: 'warning', tenantId: 'acme' });

      await expect(sut.get('s1')).resolves.toMatchObject({ id: 's1', logLevel: 'warning', tenantId: 'acme', createdBy: 'node-a' });
    });

    it('does not create an unknown session', async () => {
      await sut.update('ghost', { logLevel: 'info' });

      await expect(sut.get('ghost')).resolves.toBeUndefined();
      await expect(sut.count()).resolves.toBe(0);
    });
  });

  describe('delete', () => {
    it('returns true and removes a live session', async () => {
      await sut.create(session('s1'));

      await expect(sut.delete('s1')).resolves.toBe(true);
      await expect(sut.get('s1')).resolves.toBeUndefined();
    });

    it('returns false for an unknown session', async () => {
      await expect(sut.delete('nope')).resolves.toBe(false);
    });

    it('returns false for an expired session', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS;

      await expect(sut.delete('s1')).resolves.toBe(false);
    });
  });

  describe('count', () => {
    it('counts live sessions', async () => {
      await sut.create(session('s1'));
      await sut.create(session('s2'));

      await expect(sut.count()).resolves.toBe(2);
    });

    it('excludes expired sessions', async () => {
      await sut.create(session('old'));
      clock += TTL_MS / 2;
      await sut.create(session('new'));
      clock += TTL_MS / 2;

      await expect(sut.count()).resolves.toBe(1);
    });
  });

  describe('countOwned', () => {
    it('counts the live sessions of a principal and of a tenant, apart', async () => {
      await sut.create(session('a1', { principal: 'key-a', tenantId: 'acme' }));
      await sut.create(session('a2', { principal: 'key-a', tenantId: 'globex' }));
      await sut.create(session('b1', { principal: 'key-b', tenantId: 'acme' }));

      await expect(sut.countOwned('principal:key-a')).resolves.toBe(2);
      await expect(sut.countOwned('tenant:acme')).resolves.toBe(2);
      await expect(sut.countOwned('principal:nobody')).resolves.toBe(0);
    });

    it('stops counting a session once it is deleted or expired', async () => {
      await sut.create(session('a1', { principal: 'key-a' }));
      await sut.create(session('a2', { principal: 'key-a' }));
      await sut.delete('a1');
      clock += TTL_MS;

      await expect(sut.countOwned('principal:key-a')).resolves.toBe(0);
    });
  });

  describe('expiry', () => {
    it('keeps a session until just before its TTL', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS - 1;

      await expect(sut.get('s1')).resolves.toBeDefined();
    });

    it('forgets a session once its TTL has passed', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS;

      await expect(sut.get('s1')).resolves.toBeUndefined();
    });

    it('ignores an update to an expired session', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS;

      await sut.update('s1', { logLevel: 'error' });
      clock -= TTL_MS; // even if the clock could go back, the entry is gone

      await expect(sut.get('s1')).resolves.toBeUndefined();
    });
  });

  describe('sliding TTL', () => {
    it('slides on get', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS - 1;
      await sut.get('s1');
      clock += TTL_MS - 1;

      await expect(sut.get('s1')).resolves.toBeDefined();
    });

    it('slides on update', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS - 1;
      await sut.update('s1', { logLevel: 'info' });
      clock += TTL_MS - 1;

      await expect(sut.count()).resolves.toBe(1);
    });

    it('does not slide on count', async () => {
      await sut.create(session('s1'));
      clock += TTL_MS - 1;
      await sut.count();
      clock += 1;

      await expect(sut.get('s1')).resolves.toBeUndefined();
    });
  });

  describe('sweeper', () => {
    it('drops expired sessions in the background', async () => {
      jest.useFakeTimers();
      try {
        const swept = new MemorySessionStore(TTL_SECONDS, () => clock);
        try {
          await swept.create(session('s1'));
          clock += TTL_MS;
          jest.advanceTimersByTime(TTL_MS);
          clock -= TTL_MS; // only a sweep (not a read) can have removed it

          await expect(swept.get('s1')).resolves.toBeUndefined();
        } finally {
          swept.onApplicationShutdown();
        }
      } finally {
        jest.useRealTimers();
      }
    });

    it('stops sweeping after onApplicationShutdown', () => {
      jest.useFakeTimers();
      try {
        const stopped = new MemorySessionStore(TTL_SECONDS, () => clock);
        stopped.onApplicationShutdown();

        expect(jest.getTimerCount()).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
