import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BUS_CHANNELS, MessageBus } from '../../../session';
import { McpPorts } from '../../mcp.ports';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';

type Deliver = (message: Record<string, unknown>) => void;

interface Outbound {
  sessionId: string;
  deliver: Deliver;
}

/**
 * Routes what a client sends about an earlier exchange to the SDK server handling it, on
 * this replica or another: answers to server→client requests (elicitation, sampling),
 * which arrive as new POSTs, and `notifications/cancelled` for a request still running.
 * Server→client request ids are `<nodeId>.<n>`: unique (every per-exchange SDK server
 * counts from 0) and naming the replica that waits for the answer.
 */
@Injectable()
export class McpRequestRouter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(McpRequestRouter.name);
  private sequence = 0;
  private readonly outbound = new Map<string, Outbound>();
  private readonly inbound = new Map<string, Deliver>();
  private readonly unsubscribes: Array<() => Promise<void>> = [];
  private readonly bus: MessageBus;

  constructor(
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    ports: McpPorts,
  ) {
    this.bus = ports.bus;
  }

  async onModuleInit(): Promise<void> {
    const onMessage = (payload: Record<string, unknown>) => {
      const sessionId = String(payload.sessionId);
      const message = payload.message as Record<string, unknown>;
      if (payload.type === 'response') this.deliverResponseHere(sessionId, message);
      if (payload.type === 'cancel') this.deliverCancelHere(sessionId, message);
    };
    this.unsubscribes.push(
      await this.bus.subscribe(BUS_CHANNELS.node(this.options.nodeId), onMessage),
      await this.bus.subscribe(BUS_CHANNELS.all, onMessage),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.unsubscribes.map((unsubscribe) => unsubscribe().catch(() => undefined)));
  }

  /** A fresh id for a server→client request; its answer goes to `deliver`. */
  registerOutbound(sessionId: string, deliver: Deliver): string {
    this.sequence += 1;
    const id = `${this.options.nodeId}.${this.sequence}`;
    this.outbound.set(id, { sessionId, deliver });
    return id;
  }

  releaseOutbound(id: string): void {
    this.outbound.delete(id);
  }

  /**
   * Delivers a client's response here or to the replica named in its id. False when no
   * request of that session waits for it anywhere that could be reached.
   */
  async deliverResponse(sessionId: string, response: Record<string, unknown>): Promise<boolean> {
    if (this.deliverResponseHere(sessionId, response)) return true;
    const id = String(response.id);
    // Ids we issue are `<nodeId>.<n>`; any other id names no replica.
    const dot = id.lastIndexOf('.');
    const node = dot > 0 ? id.slice(0, dot) : '';
    if (!node || node === this.options.nodeId) return false;
    const receivers = await this.bus.publish(BUS_CHANNELS.node(node), { type: 'response', sessionId, message: response });
    return receivers > 0;
  }

  /** Registers a running client request so a later `notifications/cancelled` reaches it. */
  /** Requests in progress whose cancellations this replica routes (0 when idle: nothing kept). */
  get inboundCount(): number {
    return this.inbound.size;
  }

  registerInbound(sessionId: string, requestId: string | number, deliver: Deliver): () => void {
    const key = inboundKey(sessionId, requestId);
    this.inbound.set(key, deliver);
    return () => {
      if (this.inbound.get(key) === deliver) this.inbound.delete(key);
    };
  }

  /** Delivers a cancellation here, or asks every replica (the request's replica is not known). */
  async deliverCancel(sessionId: string, notification: Record<string, unknown>): Promise<void> {
    if (this.deliverCancelHere(sessionId, notification)) return;
    await this.bus.publish(BUS_CHANNELS.all, { type: 'cancel', sessionId, message: notification }).catch((error: Error) => {
      this.logger.warn({ msg: 'cancellation not forwarded', sessionId, error: error.message });
    });
  }

  private deliverResponseHere(sessionId: string, response: Record<string, unknown>): boolean {
    const id = String(response.id);
    const entry = this.outbound.get(id);
    if (!entry || entry.sessionId !== sessionId) return false;
    this.outbound.delete(id);
    entry.deliver(response);
    return true;
  }

  private deliverCancelHere(sessionId: string, notification: Record<string, unknown>): boolean {
    const params = notification.params as { requestId?: string | number } | undefined;
    if (params?.requestId === undefined) return false;
    const deliver = this.inbound.get(inboundKey(sessionId, params.requestId));
    if (!deliver) return false;
    deliver(notification);
    return true;
  }
}

function inboundKey(sessionId: string, requestId: string | number): string {
  return `${sessionId}\u0000${typeof requestId}:${String(requestId)}`;
}
