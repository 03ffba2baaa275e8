import { Injectable, Logger } from '@nestjs/common';
import type { SessionStore } from '../../session';
import { McpPorts } from '../mcp.ports';
import type { McpListKind } from '../discovery/mcp.registry';
import { StandaloneStreamRegistry } from '../edges/streamable-http/standalone-stream.registry';

/**
 * Sends server notifications that belong to no request. Any module can inject it, e.g. to
 * tell subscribed clients that a resource changed.
 */
@Injectable()
export class McpNotifier {
  private readonly logger = new Logger(McpNotifier.name);
  private readonly sessions: SessionStore;

  constructor(
    private readonly streams: StandaloneStreamRegistry,
    ports: McpPorts,
  ) {
    this.sessions = ports.sessions;
  }

  /** `notifications/resources/updated` to every session subscribed to `uri`. */
  async resourceUpdated(uri: string): Promise<number> {
    const subscribers = await this.sessions.subscribers(uri);
    await Promise.all(
      subscribers.map((sessionId) =>
        this.streams.notify(sessionId, { method: 'notifications/resources/updated', params: { uri } }).catch((error: Error) => {
          this.logger.warn({ msg: 'resource update notification failed', sessionId, uri, error: error.message });
        }),
      ),
    );
    return subscribers.length;
  }

  /** `notifications/<kind>/list_changed` to every open session stream. */
  async listChanged(kind: McpListKind): Promise<void> {
    await this.streams.broadcast({ method: `notifications/${kind}/list_changed` });
  }

  /** Any notification to one session's standalone stream. */
  async notifySession(sessionId: string, method: string, params?: Record<string, unknown>): Promise<void> {
    await this.streams.notify(sessionId, { method, ...(params && { params }) });
  }
}
