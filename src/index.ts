/**
 * The package's public API: the modules, the decorators, the ports (an interface and an
 * injection token of the same name), the tool context and the errors tool authors throw.
 * Everything else is internal and may change in any release. The whole platform (config
 * files, logging, built-in tool packs) is `mcp-platform/platform`.
 */
export * from './mcp';

export { SessionModule, SessionStore, EventStore, MessageBus, InjectSessionStore, InjectEventStore, InjectMessageBus, sessionOwners } from './session';
export type {
  SessionModuleOptions,
  McpSession,
  McpSessionPatch,
  BusHandler,
  NumberedEvent,
  StoredEvent,
  StreamEnd,
  StreamListener,
  StreamReplay,
} from './session';
export { RedisModule, RedisConnection } from './redis';
export type { RedisModuleOptions, RedisClient, RedisConnectionOptions } from './redis';
export { TenantModule, TenantResolver, DefaultTenantResolver } from './tenant';
export type { TenantModuleOptions, ResolvedTenant, TenantBinding } from './tenant';
export { AuthModule, CredentialVerifier, Public } from './auth';
export type { AuthModuleOptions, Authentication, AuthenticationTarget, OAuthGrant, Principal, RequestAccess } from './auth';
export { MetricsModule } from './metrics';
export type { MetricsModuleOptions } from './metrics';
export { HealthModule } from './health';
export { AuditModule, AuditTrail } from './audit';
export type { AuditModuleOptions, AuditRecord, AuditAction, AuditOutcome } from './audit';
export { startTracing, stopTracing, tracingActive } from './telemetry/tracing';
export type { HealthModuleOptions, HealthDetail } from './health';
export { ThrottlerStorage } from '@nestjs/throttler';
