export { InjectEventStore, InjectSessionStore } from './session.constants';
export { EventStore, parseEventId, sessionOfStreamKey, streamKeyOf } from './event-store.interface';
export type { StoredEvent, StreamListener, StreamReplay } from './event-store.interface';
export { MemoryEventStore, EventStoreLimits } from './memory-event.store';
export { SessionStore } from './session-store.interface';
export type { McpSession, McpSessionPatch } from './session.interface';
export { MemorySessionStore } from './memory-session.store';
export { SessionModule, SessionModuleOptions } from './session.module';
