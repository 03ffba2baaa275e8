import { OnApplicationShutdown } from '@nestjs/common';
import { SessionStore, sessionOwners } from './session-store.interface';
import type { McpSession, McpSessionPatch } from './session.interface';

interface Entry {
  session: McpSession;
  expiresAt: number;
}

/** One replica's sessions in a Map with sliding expiry; the default when no Redis is configured. */
export class MemorySessionStore implements SessionStore, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptions = new Map<string, Set<string>>();
  /** Session ids by owner (principal, tenant); dead ids drop out when counted. */
  private readonly owned = new Map<string, Set<string>>();
  private readonly ttlMs: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    // Expired entries are also dropped on read; the sweep bounds memory for abandoned ones.
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.ttlMs, 60_000));
    this.sweeper.unref();
  }

  async create(session: McpSession): Promise<void> {
    this.entries.set(session.id, { session, expiresAt: this.now() + this.ttlMs });
    for (const owner of sessionOwners(session)) {
      let ids = this.owned.get(owner);
      if (!ids) this.owned.set(owner, (ids = new Set()));
      ids.add(session.id);
    }
  }

  async get(id: string): Promise<McpSession | undefined> {
    const entry = this.live(id);
    if (!entry) return undefined;
    entry.expiresAt = this.now() + this.ttlMs;
    return entry.session;
  }

  async update(id: string, patch: McpSessionPatch): Promise<void> {
    const entry = this.live(id);
    if (!entry) return;
    entry.session = { ...entry.session, ...patch };
    entry.expiresAt = this.now() + this.ttlMs;
  }

  async delete(id: string): Promise<boolean> {
    const existed = this.live(id) !== undefined;
    this.entries.delete(id);
    return existed;
  }

  async count(): Promise<number> {
    this.sweep();
    return this.entries.size;
  }

  async countOwned(owner: string): Promise<number> {
    const ids = this.owned.get(owner);
    if (!ids) return 0;
    for (const id of ids) if (!this.live(id)) ids.delete(id);
    if (ids.size === 0) this.owned.delete(owner);
    return ids.size;
  }

  async subscribe(sessionId: string, uri: string): Promise<void> {
    if (!this.live(sessionId)) return;
    let sessions = this.subscriptions.get(uri);
    if (!sessions) this.subscriptions.set(uri, (sessions = new Set()));
    sessions.add(sessionId);
  }

  async unsubscribe(sessionId: string, uri: string): Promise<void> {
    const sessions = this.subscriptions.get(uri);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.subscriptions.delete(uri);
  }

  async subscribers(uri: string): Promise<string[]> {
    const sessions = this.subscriptions.get(uri);
    if (!sessions) return [];
    // Sessions that ended or expired drop out here rather than on every delete.
    for (const id of sessions) if (!this.live(id)) sessions.delete(id);
    return [...sessions];
  }

  async ping(): Promise<void> {
    // In-process: always reachable.
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    for (const [owner, ids] of this.owned) {
      for (const id of ids) if (!this.entries.has(id)) ids.delete(id);
      if (ids.size === 0) this.owned.delete(owner);
    }
  }
}
