import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { EventStore as SdkEventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  JSONRPCMessage,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';
import { EventStore, parseEventId, streamKeyOf } from '../session';
import { McpRequestRouter } from './mcp-request.router';

/**
 * The SDK's event store interface over the platform's, scoped to one session. This
 * exchange is the only writer of its stream, so it numbers events itself and stores them
 * behind the response (in order) instead of waiting for the store before each write.
 */
class SessionEventStore implements SdkEventStore {
  /** SDK stream ids this exchange stored events for (its POST stream). */
  readonly streamIds = new Set<string>();
  private readonly nextSequence = new Map<string, number>();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: EventStore,
    private readonly sessionId: string,
    private readonly onError: (error: Error) => void,
  ) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    this.streamIds.add(streamId);
    const sequence = this.nextSequence.get(streamId) ?? 0;
    this.nextSequence.set(streamId, sequence + 1);
    const streamKey = streamKeyOf(this.sessionId, streamId);
    this.writes = this.writes
      .then(() => this.events.write(streamKey, sequence, message as unknown as Record<string, unknown>))
      .catch(this.onError);
    return `${streamKey}#${sequence}`;
  }

  /** Resolves once every event so far is stored. */
  flushed(): Promise<void> {
    return this.writes;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parseEventId(eventId);
    return parsed?.streamKey.slice(this.sessionId.length + 1);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const replay = await this.events.after(lastEventId);
    if (!replay) throw new Error('Unknown or expired Last-Event-ID');
    for (const event of replay.events) {
      if ('jsonrpc' in event.message) await send(event.id, event.message as unknown as JSONRPCMessage);
    }
    return replay.streamKey.slice(this.sessionId.length + 1);
  }
}

export interface PlatformTransportOptions {
  /** The platform session of this exchange; none in stateless mode. */
  sessionId?: string;
  enableJsonResponse: boolean;
  router: McpRequestRouter;
  /** Makes SSE answers resumable (with a session). */
  events?: EventStore;
  /** `retry:` sent in priming events, in ms. */
  retryIntervalMs?: number;
  /** Ids of the requests in this POST: the exchange is settled when each has its response. */
  requestIds: Array<string | number>;
  /** Called once, when every request of the POST has been answered. */
  onSettled(): void;
  /** A stream event could not be stored (the answer itself still reaches a connected client). */
  onStoreError(error: Error): void;
}

/**
 * The SDK's Streamable HTTP transport in its stateless form, for one HTTP exchange of a
 * platform-owned session. It adds what a session spread over exchanges (and replicas)
 * needs: server→client request ids that are unique and routable, a session-scoped event
 * store so the answer can be resumed, and a signal when the exchange is settled.
 */
export class PlatformTransport extends StreamableHTTPServerTransport {
  private readonly unanswered: Set<string>;
  private readonly outboundIds = new Set<string>();
  private readonly eventAdapter?: SessionEventStore;
  private settled = false;

  constructor(private readonly platform: PlatformTransportOptions) {
    const eventAdapter =
      platform.sessionId && platform.events && !platform.enableJsonResponse
        ? new SessionEventStore(platform.events, platform.sessionId, platform.onStoreError)
        : undefined;
    super({
      sessionIdGenerator: undefined,
      enableJsonResponse: platform.enableJsonResponse,
      eventStore: eventAdapter,
      retryInterval: platform.retryIntervalMs,
    });
    this.eventAdapter = eventAdapter;
    this.unanswered = new Set(platform.requestIds.map(idKey));
  }

  /** Whether an interrupted answer can be resumed (so the work goes on without the client). */
  get resumable(): boolean {
    return this.eventAdapter !== undefined;
  }

  /** Hands a message that arrived in another exchange (an answer, a cancel) to the SDK server. */
  deliver(message: Record<string, unknown>): void {
    this.onmessage?.(message as unknown as JSONRPCMessage);
  }

  override async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const sessionId = this.platform.sessionId;
    if (isJSONRPCRequest(message) && sessionId) {
      const originalId = message.id;
      const routedId = this.platform.router.registerOutbound(sessionId, (response) =>
        this.deliver({ ...response, id: originalId }),
      );
      this.outboundIds.add(routedId);
      message = { ...message, id: routedId };
    }
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    try {
      await super.send(message, options);
    } finally {
      if (isResponse) {
        this.unanswered.delete(idKey((message as { id: string | number }).id));
        if (this.unanswered.size === 0) void this.settle();
      }
    }
  }

  override async close(): Promise<void> {
    for (const id of this.outboundIds) this.platform.router.releaseOutbound(id);
    this.outboundIds.clear();
    await super.close();
  }

  private async settle(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    if (this.eventAdapter && this.platform.sessionId) {
      const sessionId = this.platform.sessionId;
      await this.eventAdapter.flushed();
      await Promise.all(
        [...this.eventAdapter.streamIds].map((streamId) => this.platform.events!.complete(streamKeyOf(sessionId, streamId))),
      ).catch(this.platform.onStoreError);
    }
    this.platform.onSettled();
  }
}

function idKey(id: string | number): string {
  return `${typeof id}:${String(id)}`;
}
