export { InjectSessionStore } from './session.constants';
export { SessionStore } from './session-store.interface';
export type { McpSession, McpSessionPatch } from './session.interface';
export { MemorySessionStore } from './memory-session.store';
export { SessionModule, SessionModuleOptions } from './session.module';
