import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCNotification, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { HttpExchange } from '../streamable-http/http-exchange';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import type { SessionHolder } from './mcp-sdk.server-factory';
import { McpRequestRouter } from '../streamable-http/mcp-request.router';

type Message = Record<string, unknown>;

const JSONRPC_INVALID_REQUEST = -32600;

/** What a request being handled belongs to. */
export interface InFlight {
  exchange: HttpExchange;
  /** The client's id for the request. */
  clientId: string | number;
  context: McpRequestContext;
  holder: SessionHolder;
  /** Server→client requests sent for it: the SDK's id → the routable id the client saw. */
  routed?: Map<string | number, string>;
}

/**
 * One SDK `Server` for the whole process, behind this transport: each HTTP exchange's
 * requests are handed to it under internal ids (unique, so clients' ids never clash), and
 * whatever it sends goes back to the exchange the message belongs to. Server→client
 * requests get routable ids (`<nodeId>.<n>`), so their answers find it from any replica.
 * The SDK still does the protocol; this only carries messages.
 */
export class MultiplexTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();

  constructor(private readonly router: McpRequestRouter) {}

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.inFlight.clear();
    this.onclose?.();
  }

  /** The request an SDK handler is serving (by its internal id). */
  lookup(internalId: string | number): InFlight | undefined {
    return this.inFlight.get(Number(internalId));
  }

  /**
   * Hands a client request to the SDK server. Returns a function that cancels it (for a
   * disconnect or `notifications/cancelled`).
   */
  dispatch(request: Message, flight: InFlight, headers: Record<string, string | undefined>): () => void {
    const internalId = this.nextId++;
    // Only the members a request has: the SDK's schema is strict, and what it refuses as
    // "not a request" it drops without an answer.
    const message = { jsonrpc: '2.0', id: internalId, method: request.method, ...(request.params !== undefined && { params: request.params }) };
    if (!isJSONRPCRequest(message)) {
      flight.exchange.respond({
        jsonrpc: '2.0',
        id: flight.clientId,
        error: { code: JSONRPC_INVALID_REQUEST, message: 'Invalid Request: not an MCP request' },
      });
      return () => undefined;
    }
    this.inFlight.set(internalId, flight);
    const extra: MessageExtraInfo = {
      requestInfo: { headers: headers as Record<string, string> },
      ...(flight.exchange.resumable && { closeSSEStream: () => flight.exchange.closeStream() }),
    };
    this.onmessage?.(message as JSONRPCMessage, extra);
    return () => {
      if (!this.inFlight.delete(internalId)) return;
      this.release(flight);
      flight.exchange.abandon(flight.clientId);
      this.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: internalId, reason: 'cancelled by the client' },
      } as JSONRPCMessage);
    };
  }

  /**
   * Hands a client notification (no id) to the SDK server. Never a cancellation: the SDK
   * would read its `requestId` as one of this process's internal ids, which any caller could
   * guess; the platform routes cancellations to the sender's own requests itself.
   */
  notify(notification: Message): void {
    if (notification.method === 'notifications/cancelled') return;
    const message = { jsonrpc: '2.0', method: notification.method, ...(notification.params !== undefined && { params: notification.params }) };
    // Notifications get no answer: a malformed one is dropped here rather than by the SDK.
    if (isJSONRPCNotification(message)) this.onmessage?.(message as JSONRPCMessage);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const outgoing = message as unknown as Message;
    if ('result' in outgoing || 'error' in outgoing) {
      const internalId = Number(outgoing.id);
      const flight = this.inFlight.get(internalId);
      if (!flight) return;
      this.inFlight.delete(internalId);
      this.release(flight);
      flight.exchange.respond({ ...outgoing, id: flight.clientId });
      return;
    }
    const related = options?.relatedRequestId !== undefined ? this.inFlight.get(Number(options.relatedRequestId)) : undefined;
    // Messages tied to no request (none are sent that way here) would have nowhere to go.
    if (!related) return;
    if ('id' in outgoing && typeof outgoing.method === 'string') {
      const protocolId = outgoing.id;
      const sessionId = related.holder.session?.id ?? '';
      const routedId = this.router.registerOutbound(sessionId, (response) => {
        this.onmessage?.({ ...response, id: protocolId } as unknown as JSONRPCMessage);
      });
      (related.routed ??= new Map()).set(protocolId as string | number, routedId);
      related.exchange.write({ ...outgoing, id: routedId });
      return;
    }
    if (outgoing.method === 'notifications/cancelled') return this.cancelOutbound(related, outgoing);
    related.exchange.write(outgoing);
  }

  /**
   * The SDK gave up on a server→client request (a tool's timeout or abort): the client knows
   * that request by its routable id, and no answer is awaited any more.
   */
  private cancelOutbound(flight: InFlight, notification: Message): void {
    const params = (notification.params ?? {}) as { requestId?: string | number };
    const routedId = params.requestId === undefined ? undefined : flight.routed?.get(params.requestId);
    if (routedId === undefined) return flight.exchange.write(notification);
    flight.routed!.delete(params.requestId!);
    this.router.releaseOutbound(routedId);
    flight.exchange.write({ ...notification, params: { ...params, requestId: routedId } });
  }

  private release(flight: InFlight): void {
    for (const id of flight.routed?.values() ?? []) this.router.releaseOutbound(id);
  }
}
