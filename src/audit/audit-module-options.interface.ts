/** Options of {@link AuditModule.forRoot}. */
export interface AuditModuleOptions {
  /** Where records go: a file path (appended) or `stdout` (default). */
  destination?: string;
  /** A tool call's arguments in its record: left out (default) or `hash`ed. */
  arguments?: 'omit' | 'hash';
  /** Tools whose records hold their arguments in full. */
  argumentsInFull?: readonly string[];
  /** Written on every record (this replica's name). */
  nodeId?: string;
}

export const AUDIT_MODULE_OPTIONS = Symbol('AUDIT:MODULE_OPTIONS');
