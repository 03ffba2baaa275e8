import type { McpObserver } from '../interfaces/mcp-observer.interface';

/** Used when no MetricsModule provides an observer. */
export const NOOP_OBSERVER: McpObserver = {
  requestStarted: () => undefined,
  requestFinished: () => undefined,
  exchangeFinished: () => undefined,
  notificationSent: () => undefined,
  sessionOpened: () => undefined,
  sessionClosed: () => undefined,
};
