import { Injectable, Logger } from '@nestjs/common';
import type { SessionStore } from '../../session';
import { McpPorts } from '../mcp.ports';
import type { McpListKind } from '../discovery/mcp.registry';
import { StandaloneStreamRegistry } from '../edges/streamable-http/standalone-stream.registry';
import { ModernEventBus } from '../edges/modern/modern-event.bus';

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
    private readonly events: ModernEventBus,
  ) {
    this.sessions = ports.sessions;
  }

  /**
   * `notifications/resources/updated` to every session subscribed to `uri`, and to the
   * 2026-07-28 listen streams of every replica that asked for it.
   */
  async resourceUpdated(uri: string): Promise<number> {
    this.events.publish({ kind: 'resource_updated', uri });
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

  /** `notifications/<kind>/list_changed` to every open session stream, and to every replica's listen streams. */
  async listChanged(kind: McpListKind): Promise<void> {
    this.events.publish({ kind: `${kind}_list_changed` });
    await this.streams.broadcast({ method: `notifications/${kind}/list_changed` });
  }

  /** Any notification to one session's standalone stream. */
  async notifySession(sessionId: string, method: string, params?: Record<string, unknown>): Promise<void> {
    await this.streams.notify(sessionId, { method, ...(params && { params }) });
  }
}
