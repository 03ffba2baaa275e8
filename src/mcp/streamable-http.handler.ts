import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  InitializeRequestSchema,
  JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { InjectSessionStore, McpSession, SessionStore } from '../session';
import { InjectMcpOptions, JSONRPC_ERROR } from './mcp.constants';
import {
  InvalidJsonRpcException,
  JsonRpcHttpException,
  SessionIdRequiredException,
  SessionNotFoundException,
  StatelessMethodNotAllowedException,
} from './mcp.exception';
import { McpMessages } from './mcp.messages';
import type { McpModuleOptions } from './mcp-module-options.interface';
import { McpRegistry } from './mcp.registry';
import { McpSdkServerFactory } from './mcp-sdk.server-factory';
import { StandaloneStreamRegistry } from './standalone-stream.registry';
import type { McpRequestContext } from './interfaces/mcp-context.interface';

/** The request context before the session is known. */
export type McpBaseContext = Omit<McpRequestContext, 'sessionId' | 'client' | 'protocolVersion'>;

/** Requests whose handlers get a context that can notify: answered as SSE in `auto` mode. */
const STREAMING_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);

const SESSION_HEADER = 'mcp-session-id';

/**
 * Streamable HTTP with sessions owned by the platform. The SDK's transport runs in its
 * stateless form for each exchange (HTTP checks, SSE or JSON framing, JSON-RPC routing);
 * this class issues `Mcp-Session-Id` at initialize, keeps the session in the
 * {@link SessionStore}, and restores it on whichever replica a later request reaches.
 */
@Injectable()
export class StreamableHttpHandler implements OnModuleInit {
  private readonly stateful: boolean;

  constructor(
    private readonly servers: McpSdkServerFactory,
    private readonly streams: StandaloneStreamRegistry,
    private readonly registry: McpRegistry,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {
    this.stateful = options.sessionMode === 'stateful';
  }

  onModuleInit(): void {
    this.registry.onChange((kind) => {
      void this.streams.broadcast({ method: `notifications/${kind}/list_changed` });
    });
  }

  async post(req: IncomingMessage, res: ServerResponse, body: JSONRPCMessage | JSONRPCMessage[], base: McpBaseContext): Promise<void> {
    const messages = Array.isArray(body) ? body : [body];
    if (!this.stateful) {
      return this.serve(req, res, body, { ...base, sessionId: headerOf(req, SESSION_HEADER) }, undefined, messages);
    }

    const initialize = messages.find((message) => 'method' in message && message.method === 'initialize' && 'id' in message);
    let session: McpSession | undefined;
    if (initialize) {
      if (messages.length > 1) throw new InvalidJsonRpcException(McpMessages.INITIALIZE_IN_BATCH);
      session = await this.open(initialize, base);
      // Malformed initialize params get no session; the SDK answers them with its error.
      if (session) res.setHeader('Mcp-Session-Id', session.id);
    } else {
      session = await this.restore(req, base);
    }
    return this.serve(req, res, body, contextOf(base, session), session, messages);
  }

  async get(req: IncomingMessage, res: ServerResponse, base: McpBaseContext): Promise<void> {
    if (!this.stateful) throw new StatelessMethodNotAllowedException('POST');
    const session = await this.restore(req, base);
    if (this.streams.has(session.id)) {
      throw new JsonRpcHttpException(
        HttpStatus.CONFLICT,
        JSONRPC_ERROR.SERVER_ERROR,
        'Conflict: Only one SSE stream is allowed per session',
      );
    }
    const server = this.servers.create(contextOf(base, session), session);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    this.streams.add(session.id, { server, close: () => void server.close() });
    res.once('close', () => {
      this.streams.remove(session.id, server);
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }

  async delete(req: IncomingMessage, res: ServerResponse, base: McpBaseContext): Promise<void> {
    if (!this.stateful) throw new StatelessMethodNotAllowedException('POST');
    const session = await this.restore(req, base);
    await this.sessions.delete(session.id);
    this.streams.close(session.id);
    res.writeHead(HttpStatus.OK).end();
  }

  /** Lets the SDK answer a request it refuses before reading the body (406, 415). */
  async refuse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await transport.handleRequest(req, res);
    await transport.close();
  }

  private async open(initialize: JSONRPCMessage, base: McpBaseContext): Promise<McpSession | undefined> {
    const parsed = InitializeRequestSchema.safeParse(initialize);
    if (!parsed.success) return undefined;
    const { protocolVersion, capabilities, clientInfo } = parsed.data.params;
    const session: McpSession = {
      id: randomUUID(),
      ...(base.tenantId !== undefined && { tenantId: base.tenantId }),
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(protocolVersion) ? protocolVersion : LATEST_PROTOCOL_VERSION,
      clientInfo: { name: clientInfo.name, version: clientInfo.version },
      clientCapabilities: capabilities as Record<string, unknown>,
      createdAt: Date.now(),
      createdBy: base.nodeId,
    };
    await this.sessions.create(session);
    return session;
  }

  /** The request's session; 404 when unknown, expired or bound to another tenant. */
  private async restore(req: IncomingMessage, base: McpBaseContext): Promise<McpSession> {
    const sessionId = headerOf(req, SESSION_HEADER);
    if (!sessionId) throw new SessionIdRequiredException();
    const session = await this.sessions.get(sessionId);
    if (!session || session.tenantId !== base.tenantId) throw new SessionNotFoundException();
    return session;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    body: JSONRPCMessage | JSONRPCMessage[],
    context: McpRequestContext,
    session: McpSession | undefined,
    messages: JSONRPCMessage[],
  ): Promise<void> {
    const server = this.servers.create(context, session);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: this.answersAsJson(messages),
    });
    res.once('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private answersAsJson(messages: JSONRPCMessage[]): boolean {
    if (this.options.responseMode !== 'auto') return this.options.responseMode === 'json';
    return !messages.some((message) => 'method' in message && 'id' in message && STREAMING_METHODS.has(message.method));
  }
}

function contextOf(base: McpBaseContext, session: McpSession | undefined): McpRequestContext {
  if (!session) return base;
  return { ...base, sessionId: session.id, client: session.clientInfo, protocolVersion: session.protocolVersion };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
