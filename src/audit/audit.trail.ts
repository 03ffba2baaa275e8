import { createHash } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pino from 'pino';
import type { McpAuditHook, McpCallRecord, McpRefusalAuditEvent, McpSessionAuditEvent } from '../mcp/interfaces/mcp-audit.interface';
import { traceIds } from '../telemetry/mcp-tracing';
import { AUDIT_MODULE_OPTIONS, AuditModuleOptions } from './audit-module-options.interface';
import type { AuditAction, AuditOutcome, AuditRecord } from './audit-record';
import { canonicalJson } from '../common/canonical-json';

type Destination = ReturnType<typeof pino.destination>;

const ACTIONS: Record<McpCallRecord['kind'], AuditAction> = { tool: 'tools/call', resource: 'resources/read', prompt: 'prompts/get' };
const OUTCOMES: Record<McpCallRecord['outcome'], AuditOutcome> = {
  ok: 'ok',
  tool_error: 'error',
  error: 'error',
  forbidden: 'denied',
  rate_limited: 'rate_limited',
};

/**
 * The audit trail: one JSON line per tool call, resource read, prompt get, session start
 * and end, and refused request, written apart from the application log (its own stream, no
 * log level) to stdout or a file. Writes are buffered for a file and flushed when the app
 * shuts down, after the drain, so the records of calls that finish while draining are kept.
 */
@Injectable()
export class AuditTrail implements McpAuditHook, OnApplicationShutdown {
  private readonly logger = new Logger('AuditTrail');
  private readonly destination: Destination;
  private readonly inFull: ReadonlySet<string>;

  constructor(@Inject(AUDIT_MODULE_OPTIONS) private readonly options: AuditModuleOptions) {
    const file = options.destination && options.destination !== 'stdout' ? options.destination : undefined;
    // A file: opened now (so nothing written before shutdown can miss it), written in batches.
    // stdout is shared with the log: one synchronous write per record keeps lines whole.
    this.destination = file ? pino.destination({ dest: openForAppend(file), sync: false, minLength: 4096 }) : pino.destination({ dest: 1, sync: true });
    this.destination.on('error', (error: Error) => this.logger.error({ msg: 'audit trail write failed', error: error.message }));
    this.inFull = new Set(options.argumentsInFull ?? []);
  }

  record(call: McpCallRecord): void {
    this.write({
      action: ACTIONS[call.kind],
      target: call.target,
      outcome: OUTCOMES[call.outcome],
      principal: call.principal,
      ...(call.tenantId !== undefined && { tenant: call.tenantId }),
      requestId: call.requestId,
      ...(call.sessionId !== undefined && { sessionId: call.sessionId }),
      durationMs: Math.round(call.durationMs * 100) / 100,
      ...(call.outcome === 'tool_error' && { reason: 'tool_error' }),
      ...(call.kind === 'tool' && this.argumentsOf(call.target, call.arguments)),
    });
  }

  session(event: McpSessionAuditEvent): void {
    this.write({
      action: event.event === 'start' ? 'session.start' : 'session.end',
      target: event.session.id,
      sessionId: event.session.id,
      outcome: 'ok',
      principal: event.session.principal ?? 'anonymous',
      ...(event.session.tenantId !== undefined && { tenant: event.session.tenantId }),
      requestId: event.requestId,
      ...(event.event === 'end' && { durationMs: Math.max(0, Date.now() - event.session.createdAt) }),
    });
  }

  refusal(event: McpRefusalAuditEvent): void {
    this.write({
      action: 'auth',
      target: event.target,
      outcome: event.outcome,
      principal: event.principal,
      ...(event.tenantId !== undefined && { tenant: event.tenantId }),
      ...(event.requestId && { requestId: event.requestId }),
      reason: event.reason,
    });
  }

  /** Writes what is buffered (the app's shutdown, after the drain). */
  flush(): void {
    try {
      this.destination.flushSync();
    } catch {
      // Nothing buffered, or the stream is not ready yet: nothing to lose.
    }
  }

  onApplicationShutdown(): void {
    this.flush();
    this.destination.end();
  }

  private write(fields: Omit<AuditRecord, 'type' | 'time'>): void {
    const trace = traceIds();
    const record: AuditRecord = {
      type: 'audit',
      time: new Date().toISOString(),
      ...fields,
      ...(trace && { traceId: trace.traceId }),
      ...(this.options.nodeId !== undefined && { nodeId: this.options.nodeId }),
    };
    this.destination.write(`${JSON.stringify(record)}\n`);
  }

  private argumentsOf(tool: string, args: unknown): Pick<AuditRecord, 'arguments' | 'argumentsHash'> {
    if (args === undefined) return {};
    if (this.inFull.has(tool)) return { arguments: args };
    if (this.options.arguments === 'hash') return { argumentsHash: `sha256:${createHash('sha256').update(canonicalJson(args)).digest('hex')}` };
    return {};
  }
}

function openForAppend(file: string): number {
  mkdirSync(dirname(file), { recursive: true });
  return openSync(file, 'a');
}
