import type { McpSession, McpSessionPatch } from './session.interface';

/**
 * Where sessions live. Every read slides the session's idle TTL; a session not used for
 * `ttlSeconds` is gone for every replica.
 */
export interface SessionStore {
  create(session: McpSession): Promise<void>;
  /** The session, or undefined when unknown or expired; slides its TTL. */
  get(id: string): Promise<McpSession | undefined>;
  /** Merges `patch` into a live session; a no-op for an unknown one. */
  update(id: string, patch: McpSessionPatch): Promise<void>;
  /** True when a live session was deleted. */
  delete(id: string): Promise<boolean>;
  /** Live sessions (approximate for distributed stores). */
  count(): Promise<number>;
  /** Live sessions of one owner (see {@link sessionOwners}), for per-credential and per-tenant caps. */
  countOwned(owner: string): Promise<number>;
  /** Subscribes a session to `notifications/resources/updated` for a URI. */
  subscribe(sessionId: string, uri: string): Promise<void>;
  unsubscribe(sessionId: string, uri: string): Promise<void>;
  /** Live sessions subscribed to a URI. */
  subscribers(uri: string): Promise<string[]>;
  /** Resolves when the store is reachable; rejects otherwise (readiness). */
  ping(): Promise<void>;
}

export const SessionStore = Symbol('SESSION:STORE');

/** Who a session counts against: its principal (`principal:<id>`) and its tenant (`tenant:<id>`). */
export function sessionOwners(session: Pick<McpSession, 'principal' | 'tenantId'>): string[] {
  return [
    ...(session.principal !== undefined ? [`principal:${session.principal}`] : []),
    ...(session.tenantId !== undefined ? [`tenant:${session.tenantId}`] : []),
  ];
}
