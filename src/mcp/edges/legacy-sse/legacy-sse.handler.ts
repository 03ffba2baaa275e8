import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { withoutSecretHeaders } from '../../../common/secret-mask';
import { LifecycleService } from '../../../lifecycle';
import { BUS_CHANNELS, McpSession, MessageBus, SessionStore } from '../../../session';
import { McpPorts } from '../../mcp.ports';
import { SessionCaps } from '../http/session-caps';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { JSONRPC_ERROR } from '../../mcp.constants';
import { JsonRpcHttpException, SessionNotFoundException } from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import { MCP_AUDIT_HOOK, McpAuditHook } from '../../interfaces/mcp-audit.interface';
import { McpSdkServerFactory, SessionHolder } from '../sdk-v1/mcp-sdk.server-factory';
import type { McpBaseContext } from '../streamable-http/streamable-http.handler';

interface LegacyConnection {
  transport: SSEServerTransport;
  server: Server;
  tenantId?: string;
}

/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05) for older clients: `GET /sse` opens
 * the stream and names the message endpoint, `POST /messages?sessionId=` carries the
 * client's messages. One long-lived SDK server per stream, with the same registry,
 * executor, guards and context as Streamable HTTP. The session is kept in the store while
 * its stream is open and deleted when the stream closes; a POST for a session whose replica
 * died (its stream gone with it) gets 410 and the client reconnects.
 */
@Injectable()
export class LegacySseHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpLegacySse');
  private readonly connections = new Map<string, LegacyConnection>();
  private unsubscribe?: () => Promise<void>;
  private readonly sessions: SessionStore;
  private readonly bus: MessageBus;

  constructor(
    private readonly servers: McpSdkServerFactory,
    private readonly lifecycle: LifecycleService,
    ports: McpPorts,
    private readonly sessionCaps: SessionCaps,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    @Optional() @Inject(MCP_OBSERVER) private readonly observer?: McpObserver,
    @Optional() @Inject(MCP_AUDIT_HOOK) private readonly audit?: McpAuditHook,
  ) {
    this.sessions = ports.sessions;
    this.bus = ports.bus;
  }

  async onModuleInit(): Promise<void> {
    this.lifecycle.onDrain(() => {
      for (const connection of this.connections.values()) void connection.server.close();
    });
    // Messages POSTed to another replica for a stream this one holds.
    this.unsubscribe = await this.bus.subscribe(BUS_CHANNELS.node(this.options.nodeId), (payload) => {
      if (payload.type !== 'legacy') return;
      const connection = this.connections.get(String(payload.sessionId));
      if (!connection) return;
      for (const message of payload.messages as JSONRPCMessage[]) {
        void connection.transport
          .handleMessage(message, { requestInfo: { headers: payload.headers as Record<string, string> } })
          .catch((error: Error) => this.logger.warn({ msg: 'forwarded legacy message refused', sessionId: payload.sessionId, error: error.message }));
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unsubscribe?.().catch(() => undefined);
  }

  async connect(res: ServerResponse, base: McpBaseContext, messagesPath: string): Promise<void> {
    if (this.lifecycle.draining) {
      throw new JsonRpcHttpException(HttpStatus.SERVICE_UNAVAILABLE, JSONRPC_ERROR.SERVER_ERROR, McpMessages.DRAINING, { 'Retry-After': '1' });
    }
    await this.sessionCaps.assertRoomFor({
      principal: base.principal && base.principal.kind !== 'anonymous' ? base.principal.id : undefined,
      tenantId: base.tenantId,
    });
    const transport = new SSEServerTransport(messagesPath, res);
    const session: McpSession = {
      id: transport.sessionId,
      ...(base.tenantId !== undefined && { tenantId: base.tenantId }),
      protocolVersion: '2024-11-05',
      clientCapabilities: {},
      ...(base.principal && base.principal.kind !== 'anonymous' && { principal: base.principal.id }),
      ...(base.userId !== undefined && { userId: base.userId }),
      createdAt: Date.now(),
      createdBy: base.nodeId,
    };
    await this.sessions.create(session);
    this.observer?.sessionOpened();
    this.audit?.session?.({ event: 'start', session, requestId: base.requestId });
    const holder: SessionHolder = { session };
    const server = this.servers.create({ ...base, sessionId: session.id }, holder);
    server.oninitialized = () => {
      const clientCapabilities = (server.getClientCapabilities() ?? {}) as Record<string, unknown>;
      const clientInfo = server.getClientVersion();
      const patch = { clientCapabilities, ...(clientInfo && { clientInfo: { name: clientInfo.name, version: clientInfo.version } }) };
      // Past the limit nothing is stored and the stream ends: the client's state is bounded here too.
      if (Buffer.byteLength(JSON.stringify(patch)) > this.options.maxClientStateBytes) {
        this.logger.warn({ msg: 'legacy client state over the limit: stream closed', sessionId: session.id, limit: this.options.maxClientStateBytes });
        void server.close();
        return;
      }
      holder.session = { ...holder.session!, ...patch };
      void this.sessions.update(session.id, patch).catch((error: Error) => {
        this.logger.warn({ msg: 'could not store the legacy session', sessionId: session.id, error: error.message });
      });
    };
    this.connections.set(session.id, { transport, server, tenantId: base.tenantId });
    res.once('close', () => {
      this.connections.delete(session.id);
      void server.close();
      this.observer?.sessionClosed({
        ...(session.tenantId !== undefined && { tenantId: session.tenantId }),
        protocolVersion: session.protocolVersion,
        durationSeconds: Math.max(0, Date.now() - session.createdAt) / 1000,
      });
      this.audit?.session?.({ event: 'end', session, requestId: base.requestId });
      // A closed stream ends its session: nothing is left in the store (or against the caps).
      // Only a replica that died keeps its sessions until their TTL; a POST to those gets 410.
      void this.sessions.delete(session.id).catch((error: Error) => {
        this.logger.warn({ msg: 'could not delete the closed legacy session', sessionId: session.id, error: error.message });
      });
    });
    await server.connect(transport);
  }

  async message(req: IncomingMessage, res: ServerResponse, base: McpBaseContext, body: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    const sessionId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('sessionId');
    if (!sessionId) {
      throw new JsonRpcHttpException(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.SERVER_ERROR, 'Bad Request: sessionId query parameter is required');
    }
    const session = await this.sessions.get(sessionId);
    const principal = base.principal && base.principal.kind !== 'anonymous' ? base.principal.id : undefined;
    if (!session || session.tenantId !== base.tenantId || session.principal !== principal || session.userId !== base.userId) {
      throw new SessionNotFoundException();
    }
    const messages = Array.isArray(body) ? body : [body];
    const connection = this.connections.get(sessionId);
    if (connection) {
      // Batches are not part of the 2024-11-05 SSE transport: each message is handled alone.
      for (const message of messages) await connection.transport.handleMessage(message, { requestInfo: { headers: req.headers } });
    } else {
      // The stream is held by the replica that opened it, if it is still there.
      const holder = session.createdBy;
      const receivers =
        holder === this.options.nodeId
          ? 0
          : await this.bus.publish(BUS_CHANNELS.node(holder), { type: 'legacy', sessionId, messages, headers: withoutSecretHeaders(base.headers) });
      if (receivers === 0) throw new JsonRpcHttpException(HttpStatus.GONE, JSONRPC_ERROR.SERVER_ERROR, McpMessages.LEGACY_STREAM_GONE);
    }
    res.writeHead(HttpStatus.ACCEPTED).end('Accepted');
  }

  get size(): number {
    return this.connections.size;
  }
}
