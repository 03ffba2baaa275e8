import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InitializeRequestSchema, JSONRPCMessage, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { LifecycleService } from '../../../lifecycle';
import { EventStore, McpSession, SessionStore, parseEventId, sessionOfStreamKey, streamKeyOf } from '../../../session';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import {
  InvalidJsonRpcException,
  JsonRpcHttpException,
  SessionIdRequiredException,
  SessionNotFoundException,
  StatelessMethodNotAllowedException,
} from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { McpNotifier } from '../../execution/mcp.notifier';
import { NOOP_OBSERVER } from '../../execution/mcp-observer.provider';
import { McpRegistry } from '../../discovery/mcp.registry';
import { McpRequestRouter } from './mcp-request.router';
import { McpPorts } from '../../mcp.ports';
import { SessionCaps } from '../http/session-caps';
import { McpSdkServerFactory, SessionHolder } from '../sdk-v1/mcp-sdk.server-factory';
import { HttpExchange } from './http-exchange';
import { MultiplexTransport } from '../sdk-v1/multiplex.transport';
import { STANDALONE_STREAM_ID, StandaloneStreamRegistry } from './standalone-stream.registry';
import { SseWriter } from './sse.writer';
import { ToolCallFastPath } from './tool-call.fast-path';
import { StreamCursor } from './stream-cursor';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import { MCP_AUDIT_HOOK, McpAuditHook } from '../../interfaces/mcp-audit.interface';

/** The request context before the session is known. */
export type McpBaseContext = Omit<McpRequestContext, 'sessionId' | 'client' | 'protocolVersion'>;

/** Requests whose handlers get a context that can notify: answered as SSE in `auto` mode. */
const STREAMING_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);

const SESSION_HEADER = 'mcp-session-id';

type Message = Record<string, unknown>;

/**
 * Streamable HTTP with sessions owned by the platform. The SDK's transport runs in its
 * stateless form for each exchange (HTTP checks, SSE or JSON framing, JSON-RPC routing);
 * this class issues `Mcp-Session-Id` at initialize, keeps the session in the
 * {@link SessionStore}, restores it on whichever replica a later request reaches, routes
 * answers to server→client requests and cancellations to the exchange they belong to,
 * and serves the standalone stream and resumption (`Last-Event-ID`) from the event store.
 */
@Injectable()
export class StreamableHttpHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpHttp');
  private readonly stateful: boolean;
  private readonly observer: McpObserver;
  private readonly mux: MultiplexTransport;
  private readonly server: Server;
  private readonly sessions: SessionStore;
  private readonly events: EventStore;

  constructor(
    servers: McpSdkServerFactory,
    private readonly streams: StandaloneStreamRegistry,
    private readonly registry: McpRegistry,
    private readonly notifier: McpNotifier,
    private readonly router: McpRequestRouter,
    private readonly lifecycle: LifecycleService,
    ports: McpPorts,
    private readonly sessionCaps: SessionCaps,
    private readonly fastPath: ToolCallFastPath,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    @Optional() @Inject(MCP_OBSERVER) observer?: McpObserver,
    @Optional() @Inject(MCP_AUDIT_HOOK) private readonly audit?: McpAuditHook,
  ) {
    this.sessions = ports.sessions;
    this.events = ports.events;
    this.stateful = options.sessionMode === 'stateful';
    this.observer = observer ?? NOOP_OBSERVER;
    this.mux = new MultiplexTransport(router);
    this.server = servers.createShared((id) => {
      const flight = this.mux.lookup(id);
      return flight && { request: flight.context, holder: flight.holder, clientId: flight.clientId };
    });
  }

  async onModuleInit(): Promise<void> {
    // One SDK server for every Streamable HTTP exchange of this process.
    await this.server.connect(this.mux);
    this.registry.onChange((kind) => void this.notifier.listChanged(kind));
    // Draining: clients of the standalone stream reconnect (elsewhere) and resume.
    this.lifecycle.onDrain(() => this.streams.closeAll());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }

  async post(req: IncomingMessage, res: ServerResponse, body: JSONRPCMessage | JSONRPCMessage[], base: McpBaseContext): Promise<void> {
    // What the SDK's transport would check first, before any session is opened or touched.
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      throw new JsonRpcHttpException(HttpStatus.NOT_ACCEPTABLE, JSONRPC_ERROR.SERVER_ERROR, McpMessages.ACCEPT_BOTH);
    }
    assertProtocolVersion(req);
    const messages = (Array.isArray(body) ? body : [body]) as unknown as Message[];
    if (!this.stateful) {
      const context = { ...base, sessionId: headerOf(req, SESSION_HEADER) };
      // Cancellations reach the sender's own requests only (same caller and tenant).
      const rest = await this.routeToExchanges(statelessScope(context), messages);
      if (rest.length === 0) {
        res.writeHead(HttpStatus.ACCEPTED).end();
        return;
      }
      if (rest.length !== messages.length) body = (Array.isArray(body) ? rest : rest[0]) as unknown as JSONRPCMessage | JSONRPCMessage[];
      return this.serve(req, res, body, context, undefined, messages);
    }

    const initialize = messages.find((message) => message.method === 'initialize' && 'id' in message);
    let session: McpSession | undefined;
    if (initialize) {
      if (messages.length > 1) throw new InvalidJsonRpcException(McpMessages.INITIALIZE_IN_BATCH);
      if (this.lifecycle.draining) {
        throw new JsonRpcHttpException(HttpStatus.SERVICE_UNAVAILABLE, JSONRPC_ERROR.SERVER_ERROR, McpMessages.DRAINING, {
          'Retry-After': '1',
        });
      }
      session = await this.open(initialize, base);
      // Malformed initialize params get no session; the SDK answers them with its error.
      if (session) res.setHeader('Mcp-Session-Id', session.id);
    } else {
      session = await this.restore(req, base);
      const rest = await this.routeToExchanges(session.id, messages);
      if (rest.length === 0) {
        res.writeHead(HttpStatus.ACCEPTED).end();
        return;
      }
      if (rest.length !== messages.length) {
        body = (Array.isArray(body) ? rest : rest[0]) as unknown as JSONRPCMessage | JSONRPCMessage[];
      }
    }
    const context = contextOf(base, session);
    return this.serve(req, res, body, context, session, messages);
  }

  async get(req: IncomingMessage, res: ServerResponse, base: McpBaseContext): Promise<void> {
    if (!this.stateful) throw new StatelessMethodNotAllowedException('POST');
    const session = await this.restore(req, base);
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      throw new JsonRpcHttpException(HttpStatus.NOT_ACCEPTABLE, JSONRPC_ERROR.SERVER_ERROR, McpMessages.ACCEPT_EVENT_STREAM);
    }
    assertProtocolVersion(req);
    const headers = { 'Mcp-Session-Id': session.id };
    const lastEventId = headerOf(req, 'last-event-id');
    if (lastEventId) return this.resume(res, session, lastEventId, headers);
    if (this.streams.has(session.id)) throw conflict();
    await this.streams.open(session.id, res, headers);
  }

  async delete(req: IncomingMessage, res: ServerResponse, base: McpBaseContext): Promise<void> {
    if (!this.stateful) throw new StatelessMethodNotAllowedException('POST');
    const session = await this.restore(req, base);
    await Promise.all([
      this.sessions.delete(session.id),
      this.events.deleteSession(session.id),
      // Ends the session's standalone stream on whichever replica holds it.
      this.streams.end(session.id),
    ]);
    this.observer.sessionClosed({
      ...(session.tenantId !== undefined && { tenantId: session.tenantId }),
      protocolVersion: session.protocolVersion,
      durationSeconds: Math.max(0, Date.now() - session.createdAt) / 1000,
    });
    this.audit?.session?.({ event: 'end', session, requestId: base.requestId });
    res.writeHead(HttpStatus.OK).end();
  }

  /** Lets the SDK answer a request it refuses before reading the body (406, 415). */
  async refuse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await transport.handleRequest(req, res);
    await transport.close();
  }

  private async open(initialize: Message, base: McpBaseContext): Promise<McpSession | undefined> {
    const parsed = InitializeRequestSchema.safeParse(initialize);
    if (!parsed.success) return undefined;
    const { protocolVersion, capabilities, clientInfo } = parsed.data.params;
    // What the client chose is stored for the session's life: bounded, refused whole past it.
    const clientState = Buffer.byteLength(JSON.stringify({ capabilities, clientInfo: { name: clientInfo.name, version: clientInfo.version } }));
    if (clientState > this.options.maxClientStateBytes) {
      throw new JsonRpcHttpException(
        HttpStatus.BAD_REQUEST,
        JSONRPC_ERROR.INVALID_PARAMS,
        McpMessages.CLIENT_STATE_TOO_LARGE(clientState, this.options.maxClientStateBytes),
        {},
        initialize.id as string | number,
      );
    }
    const principal = base.principal && base.principal.kind !== 'anonymous' ? base.principal.id : undefined;
    await this.sessionCaps.assertRoomFor({ principal, tenantId: base.tenantId }, initialize.id as string | number);
    const session: McpSession = {
      id: randomUUID(),
      ...(base.tenantId !== undefined && { tenantId: base.tenantId }),
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(protocolVersion) ? protocolVersion : LATEST_PROTOCOL_VERSION,
      clientInfo: { name: clientInfo.name, version: clientInfo.version },
      clientCapabilities: capabilities as Record<string, unknown>,
      ...(base.principal && base.principal.kind !== 'anonymous' && { principal: base.principal.id }),
      ...(base.userId !== undefined && { userId: base.userId }),
      createdAt: Date.now(),
      createdBy: base.nodeId,
    };
    await this.sessions.create(session);
    this.observer.sessionOpened();
    this.audit?.session?.({ event: 'start', session, requestId: base.requestId });
    return session;
  }

  /** The request's session; 404 when unknown, expired or bound to another tenant. */
  private async restore(req: IncomingMessage, base: McpBaseContext): Promise<McpSession> {
    const sessionId = headerOf(req, SESSION_HEADER);
    if (!sessionId) throw new SessionIdRequiredException();
    const session = await this.sessions.get(sessionId);
    // Another tenant's or another credential's session looks exactly like an unknown one.
    const principal = base.principal && base.principal.kind !== 'anonymous' ? base.principal.id : undefined;
    // The user too: behind a gateway, one credential serves many users of a tenant.
    if (!session || session.tenantId !== base.tenantId || session.principal !== principal || session.userId !== base.userId) {
      throw new SessionNotFoundException();
    }
    return session;
  }

  /**
   * Hands client responses and cancellations to the exchange waiting for them; returns
   * the messages left for a new exchange.
   */
  private async routeToExchanges(sessionId: string, messages: Message[]): Promise<Message[]> {
    const rest: Message[] = [];
    for (const message of messages) {
      if (!('method' in message)) {
        if (!(await this.router.deliverResponse(sessionId, message))) {
          this.logger.warn({ msg: 'response for no pending server request', sessionId, id: message.id });
        }
      } else if (message.method === 'notifications/cancelled') {
        await this.router.deliverCancel(sessionId, message);
      } else {
        rest.push(message);
      }
    }
    return rest;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    body: JSONRPCMessage | JSONRPCMessage[],
    context: McpRequestContext,
    session: McpSession | undefined,
    messages: Message[],
  ): Promise<void> {
    const sent = (Array.isArray(body) ? body : [body]) as unknown as Message[];
    const requests = sent.filter((message) => typeof message.method === 'string' && 'id' in message);
    for (const notification of sent.filter((message) => typeof message.method === 'string' && !('id' in message))) {
      this.mux.notify(notification);
    }
    if (requests.length === 0) {
      res.writeHead(HttpStatus.ACCEPTED).end();
      return;
    }

    const holder: SessionHolder = { session };
    const releases: Array<() => void> = [];
    const initialize = requests.find((message) => message.method === 'initialize');
    const exchange = new HttpExchange(res, {
      json: this.answersAsJson(messages),
      requestIds: requests.map((message) => message.id as string | number),
      batch: Array.isArray(body),
      headers: {},
      sessionId: session?.id,
      events: session ? this.events : undefined,
      protocolVersion:
        headerOf(req, 'mcp-protocol-version') ??
        (initialize?.params as { protocolVersion?: string } | undefined)?.protocolVersion ??
        session?.protocolVersion,
      retryIntervalMs: this.options.retryIntervalMs,
      onStoreError: (error) =>
        this.logger.warn({ msg: 'stream event not stored', sessionId: session?.id, requestId: context.requestId, error: error.message }),
      onSettled: () => releases.forEach((release) => release()),
    });
    exchange.start();
    const cancels = requests.map((message) => {
      const clientId = message.id as string | number;
      // Registered before dispatch: an answer given at once (an unknown method) settles the
      // exchange inside dispatch, and its release must find the registration to drop.
      let cancel: () => void = () => undefined;
      releases.push(this.router.registerInbound(session?.id ?? statelessScope(context), clientId, () => cancel()));
      // A plain tool call (most traffic) needs none of the SDK's per-request work.
      cancel = this.fastPath.accepts(message)
        ? this.fastPath.dispatch(message, exchange, clientId, context, session)
        : this.mux.dispatch(message, { exchange, clientId, context, holder }, context.headers);
      return () => cancel();
    });
    // A resumable answer outlives its connection: the work goes on and the client resumes.
    res.once('close', () => {
      if (!exchange.resumable) cancels.forEach((cancel) => cancel());
    });
  }

  /** Replays a stream after `Last-Event-ID`, then follows it live until it ends. */
  private async resume(res: ServerResponse, session: McpSession, lastEventId: string, headers: Record<string, string>): Promise<void> {
    const parsed = parseEventId(lastEventId);
    if (!parsed || sessionOfStreamKey(parsed.streamKey) !== session.id) {
      throw new JsonRpcHttpException(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.SERVER_ERROR, McpMessages.INVALID_LAST_EVENT_ID);
    }
    const standalone = parsed.streamKey === streamKeyOf(session.id, STANDALONE_STREAM_ID);
    if (standalone) {
      if (this.streams.has(session.id)) throw conflict();
      const opened = await this.streams.open(session.id, res, headers, lastEventId, parsed.sequence);
      if (!opened) throw new JsonRpcHttpException(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.SERVER_ERROR, McpMessages.INVALID_LAST_EVENT_ID);
      return;
    }

    let cursor: StreamCursor | undefined;
    const early: Array<Parameters<StreamCursor['push']>[0] | 'complete'> = [];
    let ended = false;
    const onEvent = (event: Parameters<StreamCursor['push']>[0] | 'complete') => {
      if (!cursor) return void early.push(event);
      if (event === 'complete') {
        ended = true;
        cursor.writer.end();
      } else cursor.push(event);
    };
    // Subscribe before reading, so nothing appended in between is missed.
    const unsubscribe = await this.events.subscribe(parsed.streamKey, onEvent);
    const replay = await this.events.after(lastEventId);
    if (!replay) {
      unsubscribe();
      throw new JsonRpcHttpException(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.SERVER_ERROR, McpMessages.INVALID_LAST_EVENT_ID);
    }
    cursor = new StreamCursor(new SseWriter(res, headers), parsed.sequence, true);
    res.once('close', unsubscribe);
    cursor.replayed(replay.events);
    for (const event of early) onEvent(event);
    if (replay.completed && !ended) {
      unsubscribe();
      cursor.writer.end();
    }
  }

  private answersAsJson(messages: Message[]): boolean {
    if (this.options.responseMode !== 'auto') return this.options.responseMode === 'json';
    return !messages.some((message) => 'id' in message && STREAMING_METHODS.has(message.method as string));
  }
}

function contextOf(base: McpBaseContext, session: McpSession | undefined): McpRequestContext {
  if (!session) return base;
  return { ...base, sessionId: session.id, client: session.clientInfo, protocolVersion: session.protocolVersion };
}

/** Whose requests a stateless cancellation may reach: the same caller's, in the same tenant. */
function statelessScope(context: McpRequestContext): string {
  return `stateless\u0000${context.principal?.id ?? 'anonymous'}\u0000${context.tenantId ?? ''}`;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function assertProtocolVersion(req: IncomingMessage): void {
  const version = headerOf(req, 'mcp-protocol-version');
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    throw new JsonRpcHttpException(
      HttpStatus.BAD_REQUEST,
      JSONRPC_ERROR.SERVER_ERROR,
      `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
    );
  }
}

function conflict(): JsonRpcHttpException {
  return new JsonRpcHttpException(HttpStatus.CONFLICT, JSONRPC_ERROR.SERVER_ERROR, 'Conflict: Only one SSE stream is allowed per session');
}
