export { AuditModule } from './audit.module';
export { AuditTrail } from './audit.trail';
export { canonicalJson } from '../common/canonical-json';
export type { AuditModuleOptions } from './audit-module-options.interface';
export type { AuditAction, AuditOutcome, AuditRecord } from './audit-record';
