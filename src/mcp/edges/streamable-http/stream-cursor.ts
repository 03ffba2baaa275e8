import type { StoredEvent } from '../../../session';
import { parseEventId } from '../../../session';
import type { SseWriter } from './sse.writer';

/**
 * Writes a stream's events to one SSE response in order and exactly once: while the
 * missed events are replayed, live ones wait; anything at or before the cursor is skipped.
 * Priming events (stored without a message) are not re-sent.
 */
export class StreamCursor {
  private waiting: StoredEvent[] | undefined;

  constructor(
    readonly writer: SseWriter,
    private lastSequence = -1,
    replaying = false,
  ) {
    this.waiting = replaying ? [] : undefined;
  }

  push(event: StoredEvent): void {
    if (this.waiting) this.waiting.push(event);
    else this.write(event);
  }

  /** Writes the replayed events, then whatever arrived meanwhile. */
  replayed(events: StoredEvent[]): void {
    for (const event of events) this.write(event);
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    for (const event of waiting) this.write(event);
  }

  private write(event: StoredEvent): void {
    const sequence = parseEventId(event.id)?.sequence ?? -1;
    if (sequence <= this.lastSequence) return;
    this.lastSequence = sequence;
    if (!('jsonrpc' in event.message)) return;
    this.writer.message(event.message, event.id);
  }
}
