export { AuditModule } from './audit.module';
export { AuditTrail, canonicalJson } from './audit.trail';
export type { AuditModuleOptions } from './audit-module-options.interface';
export type { AuditAction, AuditOutcome, AuditRecord } from './audit-record';
