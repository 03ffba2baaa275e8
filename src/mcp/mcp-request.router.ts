import { Injectable } from '@nestjs/common';
import { InjectMcpOptions } from './mcp.constants';
import type { McpModuleOptions } from './mcp-module-options.interface';

type Deliver = (message: Record<string, unknown>) => void;

interface Outbound {
  sessionId: string;
  deliver: Deliver;
}

/**
 * Routes what a client sends about an earlier exchange to the SDK server handling it:
 * answers to server→client requests (elicitation, sampling), which arrive as new POSTs,
 * and `notifications/cancelled` for a request still running. Server→client request ids are
 * made unique per replica (`<nodeId>.<n>`), since every per-exchange SDK server counts from 0.
 */
@Injectable()
export class McpRequestRouter {
  private sequence = 0;
  private readonly outbound = new Map<string, Outbound>();
  private readonly inbound = new Map<string, Deliver>();

  constructor(@InjectMcpOptions() private readonly options: McpModuleOptions) {}

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

  /** Delivers a client's response; false when no request of that session waits for it here. */
  deliverResponse(sessionId: string, response: Record<string, unknown>): boolean {
    const id = String(response.id);
    const entry = this.outbound.get(id);
    if (!entry || entry.sessionId !== sessionId) return false;
    this.outbound.delete(id);
    entry.deliver(response);
    return true;
  }

  /** Registers a running client request so a later `notifications/cancelled` reaches it. */
  registerInbound(sessionId: string, requestId: string | number, deliver: Deliver): () => void {
    const key = inboundKey(sessionId, requestId);
    this.inbound.set(key, deliver);
    return () => {
      if (this.inbound.get(key) === deliver) this.inbound.delete(key);
    };
  }

  deliverCancel(sessionId: string, notification: Record<string, unknown>): boolean {
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
