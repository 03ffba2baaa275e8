import { Inject, Injectable, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { PromptResult, ResourceResult, ToolResult } from '../interfaces/mcp-content.interface';
import type { McpRequestContext } from '../interfaces/mcp-context.interface';
import { MCP_ACCESS_POLICY, McpAccessPolicy } from '../interfaces/mcp-access-policy.interface';
import { MCP_AUDIT_HOOK, McpAuditHook, McpCallRecord } from '../interfaces/mcp-audit.interface';
import { MCP_OBSERVER, McpObserver, McpOutcome, McpRequestObservation } from '../interfaces/mcp-observer.interface';
import { McpTracing, McpWireRequest } from '../../telemetry/mcp-tracing';
import { McpRegistry, ToolDefinition } from '../discovery/mcp.registry';
import { JSONRPC_ERROR } from '../mcp.constants';
import { McpProtocolError } from '../mcp.exception';
import { McpMessages } from '../mcp.messages';
import { McpCallEnvironment, McpExecutor } from './mcp.executor';
import { NOOP_OBSERVER } from './mcp-observer.provider';
import { McpInputRequiredSignal } from './mcp-input';

/** Distinct callers whose visible tool lists are kept; past it the cache starts over. */
const VISIBLE_TOOLS_CACHE_SIZE = 1000;

type Outcome = McpCallRecord['outcome'];

/**
 * The one gate every protocol edge passes a tool call, resource read or prompt get
 * through: permission and tenant rules, the tool's own call limit, then the executor
 * (validation, timeout), with metrics and the audit hook around it. Edges translate wire
 * formats; none of them decides anything this gate decides.
 */
@Injectable()
export class McpToolGate {
  private readonly observer: McpObserver;
  /** Tool lists by access key (principal and tenant), computed once per key and registry change. */
  private readonly visibleTools = new Map<string, ToolDefinition[]>();

  constructor(
    private readonly registry: McpRegistry,
    private readonly executor: McpExecutor,
    @Optional() @Inject(MCP_ACCESS_POLICY) private readonly policy?: McpAccessPolicy,
    @Optional() @Inject(MCP_OBSERVER) observer?: McpObserver,
    @Optional() @Inject(MCP_AUDIT_HOOK) private readonly audit?: McpAuditHook,
    @Optional() private readonly tracing?: McpTracing,
  ) {
    this.observer = observer ?? NOOP_OBSERVER;
    registry.onChange(() => this.visibleTools.clear());
  }

  /** Whether tool lists differ by caller (an access policy decides): such lists must not be cached for others. */
  get personalized(): boolean {
    return this.policy !== undefined;
  }

  /** Whether requests get spans: edges collect what a span needs only then. */
  get traced(): boolean {
    return this.tracing?.enabled === true;
  }

  /**
   * Runs one JSON-RPC request of any method with its metrics (count, duration, outcome) and,
   * when tracing is on, its span: the edges wrap every request they serve in it.
   */
  async observe<T>(
    method: string,
    request: McpRequestContext | undefined,
    tool: string | undefined,
    run: () => Promise<T> | T,
    wire?: McpWireRequest,
  ): Promise<T> {
    if (!this.tracing?.enabled) return this.measured(method, request, tool, run);
    return this.tracing.inSpan(method, request, tool, wire, (span) =>
      this.measured(method, request, tool, run, (errorType) => McpTracing.failed(span, errorType)),
    );
  }

  private async measured<T>(
    method: string,
    request: McpRequestContext | undefined,
    tool: string | undefined,
    run: () => Promise<T> | T,
    onFailure?: (errorType: string) => void,
  ): Promise<T> {
    const started = performance.now();
    this.observer.requestStarted(method);
    let status: McpRequestObservation['status'] = 'error';
    let outcome: McpOutcome = 'error';
    let errorType: string | undefined;
    try {
      const result = await run();
      if ((result as ToolResult | undefined)?.isError) {
        status = 'tool_error';
        errorType = 'tool_error';
      } else {
        status = outcome = 'ok';
      }
      return result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      errorType = typeof code === 'number' ? String(code) : '_OTHER';
      if (code === JSONRPC_ERROR.FORBIDDEN) outcome = 'denied';
      else if (code === JSONRPC_ERROR.TOO_MANY_CALLS) outcome = 'rate_limited';
      throw error;
    } finally {
      if (errorType !== undefined) onFailure?.(errorType);
      this.observer.requestFinished({
        method,
        tool,
        tenantId: request?.tenantId,
        status,
        outcome,
        ...(errorType !== undefined && { errorType }),
        durationSeconds: (performance.now() - started) / 1000,
      });
    }
  }

  /** `tools/call`: refused (-32003, -32004) before the method runs, or its result. */
  async callTool(name: string, args: unknown, env: McpCallEnvironment): Promise<ToolResult> {
    const started = performance.now();
    const tool = this.registry.getTool(name);
    if (!tool) throw new McpProtocolError(JSONRPC_ERROR.INVALID_PARAMS, McpMessages.UNKNOWN_TOOL(name));
    if (this.policy) {
      const access = this.policy.toolAccess(env.request, tool);
      if (!access.allowed) {
        this.record('tool', name, env.request, 'forbidden', started, args);
        throw new McpProtocolError(JSONRPC_ERROR.FORBIDDEN, access.reason ?? McpMessages.TOOL_FORBIDDEN(name), access.data);
      }
      const quota = env.continuation ? { allowed: true } : await this.policy.consumeToolQuota(env.request, tool);
      if (!quota.allowed) {
        this.record('tool', name, env.request, 'rate_limited', started, args);
        const retryAfterSeconds = Math.max(1, quota.resetSeconds ?? 1);
        throw new McpProtocolError(JSONRPC_ERROR.TOO_MANY_CALLS, McpMessages.TOOL_QUOTA_EXCEEDED(name, quota.limit ?? 0, retryAfterSeconds), {
          limit: quota.limit,
          retryAfterSeconds,
        });
      }
    }
    return this.audited('tool', name, env.request, started, () => this.executor.callTool(name, args, env), args);
  }

  /** `resources/read`. */
  async readResource(uri: string, env: McpCallEnvironment): Promise<ResourceResult> {
    return this.audited('resource', uri, env.request, performance.now(), () => this.executor.readResource(uri, env));
  }

  /** `prompts/get`. */
  async getPrompt(name: string, args: Record<string, string> | undefined, env: McpCallEnvironment): Promise<PromptResult> {
    return this.audited('prompt', name, env.request, performance.now(), () => this.executor.getPrompt(name, args, env));
  }

  /** `tools/list`: the tools this request may see — all of them, or those the access policy lets through. */
  toolsFor(request: McpRequestContext): ToolDefinition[] {
    if (!this.policy) return this.registry.listTools();
    const key = this.policy.cacheKey(request);
    let tools = this.visibleTools.get(key);
    if (!tools) {
      tools = [...this.registry.allTools()].filter((tool) => this.policy!.toolAccess(request, tool).allowed).map((tool) => tool.definition);
      if (this.visibleTools.size >= VISIBLE_TOOLS_CACHE_SIZE) this.visibleTools.clear();
      this.visibleTools.set(key, tools);
    }
    return tools;
  }

  private async audited<T>(
    kind: McpCallRecord['kind'],
    target: string,
    request: McpRequestContext,
    started: number,
    run: () => Promise<T>,
    args?: unknown,
  ): Promise<T> {
    if (!this.audit) return run();
    let outcome: Outcome | undefined = 'error';
    try {
      const result = await run();
      outcome = (result as ToolResult).isError ? 'tool_error' : 'ok';
      return result;
    } catch (error) {
      // A round that waits for the client's input is not the call's end: its last round is recorded.
      if (error instanceof McpInputRequiredSignal) outcome = undefined;
      throw error;
    } finally {
      if (outcome) this.record(kind, target, request, outcome, started, args);
    }
  }

  private record(kind: McpCallRecord['kind'], target: string, request: McpRequestContext, outcome: Outcome, started: number, args?: unknown): void {
    this.audit?.record({
      kind,
      target,
      requestId: request.requestId,
      ...(request.sessionId !== undefined && { sessionId: request.sessionId }),
      ...(request.tenantId !== undefined && { tenantId: request.tenantId }),
      principal: request.principal?.id ?? 'anonymous',
      outcome,
      durationMs: performance.now() - started,
      ...(args !== undefined && { arguments: args }),
    });
  }
}
