import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EventStore, NumberedEvent, StreamEnd, streamKeyOf } from '../../../session';
import { SseWriter, jsonOrError } from './sse.writer';

type Message = Record<string, unknown>;

/**
 * How long a stream stays resumable once it was delivered whole to a connected client: only
 * long enough for a client that lost the very end to come back. Streams cut off before
 * their end stay `completedStreamTtlSeconds`.
 */
const DELIVERED_STREAM_TTL_SECONDS = 10;

export interface HttpExchangeOptions {
  /** Answer as one JSON body (or array for a batch) instead of an SSE stream. */
  json: boolean;
  /** Client ids of the requests in the POST, in order. */
  requestIds: Array<string | number>;
  /** The body was a batch: a JSON answer is an array. */
  batch: boolean;
  headers: Record<string, string>;
  /** With a session and an event store, SSE events get ids and are stored (resumable). */
  sessionId?: string;
  events?: EventStore;
  /** Protocol version of the client: priming events only from 2025-11-25 on. */
  protocolVersion?: string;
  retryIntervalMs?: number;
  onStoreError(error: Error): void;
  /** Every request has been answered (or cancelled). */
  onSettled(): void;
}

/**
 * One POST of the Streamable HTTP transport: its answers and everything related to its
 * requests (progress, logs, server→client requests), as JSON or an SSE stream. Resumable
 * streams are numbered and stored behind the writes, so a client that loses the stream
 * resumes with `Last-Event-ID` on any replica.
 */
export class HttpExchange {
  private readonly unanswered: Set<string>;
  private readonly responses: Message[] = [];
  private writer?: SseWriter;
  /** With a session and an event store: a stream a client can resume (numbered, stored) once it outlives its first turn. */
  readonly resumable: boolean;
  private streamKey?: string;
  /**
   * Messages of the first turn of the event loop, not yet written: an answer complete in it
   * (most calls) leaves as one SSE body with nothing to resume, so nothing is numbered or
   * stored; a stream still open after it goes live, primed, and stores from then on.
   */
  private pending: Message[] = [];
  private firstTurn = true;
  private sequence = 0;
  private writes: Promise<void> = Promise.resolve();
  /** Events (and the end) not yet handed to the store: what one turn wrote goes as one write. */
  private unstored: NumberedEvent[] = [];
  private unstoredEnd?: StreamEnd;
  private storeScheduled = false;
  private settled = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: HttpExchangeOptions,
  ) {
    this.unanswered = new Set(options.requestIds.map(idKey));
    this.resumable = !options.json && options.sessionId !== undefined && options.events !== undefined;
  }

  /**
   * Opens the SSE stream (primed, resumable) at the end of this turn of the event loop when
   * the exchange is not done by then; an answer ready at once leaves in one write, and one
   * that needs a status of its own (an OAuth step-up, 403) can still get it.
   */
  start(): void {
    if (this.options.json) return;
    setImmediate(() => {
      this.firstTurn = false;
      // A stream that may stay quiet a while: the client gets its headers now.
      if (!this.settled) this.live(false);
    });
  }

  /** The stream, opened now: primed when resumable, with the first turn's messages numbered and stored. */
  private live(batchFirstWrites = true): SseWriter {
    if (this.writer) return this.writer;
    this.writer = new SseWriter(this.res, this.options.headers, { batchFirstWrites });
    if (this.resumable) this.streamKey = streamKeyOf(this.options.sessionId!, randomUUID());
    if (this.primed) this.writer.prime(this.store({}), this.options.retryIntervalMs);
    const pending = this.pending;
    this.pending = [];
    for (const message of pending) this.writer.message(message, this.streamKey ? this.store(message) : undefined);
    return this.writer;
  }

  /** A notification or server→client request tied to one of this POST's requests. */
  write(message: Message): void {
    if (this.options.json || (this.settled && !this.writer)) return;
    if (this.firstTurn && !this.writer) {
      this.pending.push(message);
      return;
    }
    const writer = this.live();
    const eventId = this.streamKey ? this.store(message) : undefined;
    writer.message(message, eventId);
  }

  /** The response to request `id` (the client's id). */
  respond(message: Message): void {
    const key = idKey(message.id as string | number);
    if (!this.unanswered.delete(key)) return;
    if (this.options.json || (!this.writer && this.pending.length === 0 && !this.options.batch && challengeOf(message))) this.responses.push(message);
    else this.write(message);
    if (this.unanswered.size === 0) this.finish();
  }

  /** A request that will get no response (cancelled by the client). */
  abandon(id: string | number): void {
    if (this.unanswered.delete(idKey(id)) && this.unanswered.size === 0) this.finish();
  }

  /**
   * Ends the SSE stream now; later events are still stored for a resuming client (SSE
   * polling). Only where the stream was primed (2025-11-25 on): a client of an earlier
   * revision has no event id to resume from, and would lose the answer.
   */
  closeStream(): void {
    if (this.primed && !this.settled) this.live().end();
  }

  /** Whether the stream opens with a priming event (an id to resume from): resumable, and a client of 2025-11-25 or later. */
  private get primed(): boolean {
    return this.resumable && (this.options.protocolVersion ?? '') >= '2025-11-25';
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    // JSON, or a single answer that carries an OAuth challenge and found no stream opened yet.
    if (this.options.json || (!this.writer && this.responses.length > 0)) {
      const body = this.options.batch ? this.responses : this.responses[0];
      // A single request refused for want of a scope: HTTP 403 with the challenge, so the client can step up.
      const challenge = this.options.batch ? undefined : challengeOf(this.responses[0]);
      if (!this.res.headersSent && !this.res.destroyed) {
        this.res
          .writeHead(challenge ? 403 : 200, {
            ...this.options.headers,
            ...(challenge && { 'WWW-Authenticate': challenge }),
            'Content-Type': 'application/json',
          })
          .end(Array.isArray(body) ? `[${body.map((message) => jsonOrError(message) ?? 'null').join(',')}]` : jsonOrError(body));
      }
    } else if (!this.writer && this.firstTurn) {
      // Done within its first turn: the whole stream in one write, nothing a client could resume.
      const writer = new SseWriter(this.res, this.options.headers, { batchFirstWrites: true });
      for (const message of this.pending) writer.message(message);
      this.pending = [];
      writer.end();
    } else {
      const writer = this.live();
      const delivered = writer.open;
      writer.end();
      if (this.streamKey) {
        this.unstoredEnd = { ttlSeconds: delivered ? DELIVERED_STREAM_TTL_SECONDS : undefined };
        this.scheduleStore();
      }
    }
    this.options.onSettled();
  }

  /** Numbers an event (this exchange is its stream's only writer) and stores it behind the write. */
  private store(message: Message): string {
    const sequence = this.sequence++;
    this.unstored.push({ sequence, message });
    this.scheduleStore();
    return `${this.streamKey!}#${sequence}`;
  }

  /**
   * Stores what this turn of the event loop wrote in one store operation, after the turn:
   * a call answered at once (priming event, answer, end) costs one Redis round trip, not three.
   */
  private scheduleStore(): void {
    if (this.storeScheduled) return;
    this.storeScheduled = true;
    setImmediate(() => {
      this.storeScheduled = false;
      const streamKey = this.streamKey!;
      const events = this.unstored;
      const end = this.unstoredEnd;
      this.unstored = [];
      this.unstoredEnd = undefined;
      this.writes = this.writes.then(() => this.options.events!.write(streamKey, events, end)).catch(this.options.onStoreError);
    });
  }
}

/** The `WWW-Authenticate` challenge an error answer carries in `error.data.wwwAuthenticate` (OAuth step-up), if any. */
function challengeOf(message: Message | undefined): string | undefined {
  const data = (message?.error as { data?: { wwwAuthenticate?: unknown } } | undefined)?.data;
  return typeof data?.wwwAuthenticate === 'string' ? data.wwwAuthenticate : undefined;
}

export function idKey(id: string | number): string {
  return `${typeof id}:${String(id)}`;
}
