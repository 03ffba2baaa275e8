/** One event of a stream, as sent on SSE (`id:` and `data:`). */
export interface StoredEvent {
  readonly id: string;
  readonly message: Record<string, unknown>;
}

/** What a resuming client missed, and whether the stream had already ended. */
export interface StreamReplay {
  readonly streamKey: string;
  readonly events: StoredEvent[];
  readonly completed: boolean;
}

export type StreamListener = (event: StoredEvent | 'complete') => void;

/** An event of a single-writer stream, numbered by its writer. */
export interface NumberedEvent {
  readonly sequence: number;
  readonly message: Record<string, unknown>;
}

/** Ends a stream after the events written with it (see {@link EventStore.complete}). */
export interface StreamEnd {
  readonly ttlSeconds?: number;
}

/**
 * Events of SSE streams, kept so a client that lost a stream resumes with `Last-Event-ID`
 * (on any replica, once the store is shared). A stream key is `<sessionId>/<streamId>`; an
 * event id is `<streamKey>#<sequence>`. Streams are bounded and expire.
 */
export interface EventStore {
  /** Appends with a sequence the store assigns (streams several replicas write to). */
  append(streamKey: string, message: Record<string, unknown>): Promise<string>;
  /**
   * Appends events at sequences the caller assigns — for streams with a single writer (a
   * POST's answer), which then need not wait for the store to know an event id — and, with
   * `end`, ends the stream too: one store operation (one Redis round trip) for what a call
   * writes in one turn (priming event, answer, end).
   */
  write(streamKey: string, events: readonly NumberedEvent[], end?: StreamEnd): Promise<void>;
  /** Events after `eventId` in its stream; undefined when the id is unknown or expired. */
  after(eventId: string): Promise<StreamReplay | undefined>;
  /**
   * Marks a stream as ended: its last response was sent. `ttlSeconds` shortens how long it
   * stays resumable (a stream delivered whole to a connected client need not stay long).
   */
  complete(streamKey: string, ttlSeconds?: number): Promise<void>;
  /** Events appended to the stream from now on, then `'complete'`. Returns the unsubscribe. */
  subscribe(streamKey: string, listener: StreamListener): Promise<() => void>;
  /** Drops every stream of a session (DELETE). */
  deleteSession(sessionId: string): Promise<void>;
}

export const EventStore = Symbol('SESSION:EVENT_STORE');

/** `<streamKey>#<sequence>` → its parts, or undefined when malformed. */
export function parseEventId(eventId: string): { streamKey: string; sequence: number } | undefined {
  const hash = eventId.lastIndexOf('#');
  if (hash <= 0) return undefined;
  const sequence = Number(eventId.slice(hash + 1));
  if (!Number.isSafeInteger(sequence) || sequence < 0) return undefined;
  return { streamKey: eventId.slice(0, hash), sequence };
}

export function streamKeyOf(sessionId: string, streamId: string): string {
  return `${sessionId}/${streamId}`;
}

export function sessionOfStreamKey(streamKey: string): string {
  return streamKey.slice(0, streamKey.indexOf('/'));
}
