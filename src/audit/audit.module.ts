import { DynamicModule, Module } from '@nestjs/common';
import { MCP_AUDIT_HOOK } from '../mcp/interfaces/mcp-audit.interface';
import { AUDIT_MODULE_OPTIONS, AuditModuleOptions } from './audit-module-options.interface';
import { AuditTrail } from './audit.trail';

/**
 * The audit trail ({@link AuditTrail}) as the MCP tool-call gate's audit hook and the
 * auth guards' refusal sink. Opt-in like the other modules; the platform imports it unless
 * `audit.enabled` is false.
 */
@Module({})
export class AuditModule {
  static forRoot(options: AuditModuleOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      providers: [{ provide: AUDIT_MODULE_OPTIONS, useValue: options }, AuditTrail, { provide: MCP_AUDIT_HOOK, useExisting: AuditTrail }],
      exports: [AuditTrail, MCP_AUDIT_HOOK],
    };
  }
}
