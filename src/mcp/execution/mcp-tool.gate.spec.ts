import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { McpRegistry, RegisteredTool } from '../discovery/mcp.registry';
import { compileSchema } from '../discovery/schema/input-schema';
import type { McpAccessPolicy, McpToolQuota } from '../interfaces/mcp-access-policy.interface';
import type { McpAuditHook, McpCallRecord } from '../interfaces/mcp-audit.interface';
import type { McpObserver } from '../interfaces/mcp-observer.interface';
import { JSONRPC_ERROR } from '../mcp.constants';
import { McpProtocolError } from '../mcp.exception';
import { MCP_DEFAULT_OPTIONS } from '../mcp.module-definition';
import { McpCallEnvironment, McpExecutor } from './mcp.executor';
import { McpToolGate } from './mcp-tool.gate';

function tool(name: string, run: () => unknown): RegisteredTool {
  const handler = async () => run();
  const input = compileSchema(undefined);
  return {
    where: `GateTools.${name}`,
    pack: 'gate',
    definition: { name, description: name, inputSchema: input.jsonSchema },
    input,
    permissions: [`gate:${name}`],
    handler,
  };
}

function environment(principal = 'alice'): McpCallEnvironment {
  return {
    request: {
      requestId: 'req-1',
      sessionId: 's-1',
      tenantId: 'acme',
      principal: { id: principal, kind: 'api-key', permissions: [] },
      headers: {},
      nodeId: 'n',
      receivedAt: 0,
    },
    signal: new AbortController().signal,
    notify: jest.fn().mockResolvedValue(undefined),
  };
}

/** A policy that allows `open` to everyone and `secret` to nobody, with a quota it is told. */
function policyWith(quota: McpToolQuota = { allowed: true }): jest.Mocked<McpAccessPolicy> {
  return {
    toolAccess: jest.fn((_context, registered: RegisteredTool) =>
      registered.definition.name === 'secret' ? { allowed: false, reason: 'Forbidden: needs gate:secret' } : { allowed: true },
    ),
    cacheKey: jest.fn((context) => context.principal?.id ?? 'anonymous'),
    consumeToolQuota: jest.fn().mockResolvedValue(quota),
  };
}

function observer(): jest.Mocked<McpObserver> {
  return {
    requestStarted: jest.fn(),
    requestFinished: jest.fn(),
    exchangeFinished: jest.fn(),
    notificationSent: jest.fn(),
    sessionOpened: jest.fn(),
    sessionClosed: jest.fn(),
  };
}

describe(McpToolGate.name, () => {
  let registry: McpRegistry;
  let records: McpCallRecord[];
  let audit: McpAuditHook;
  let ran: jest.Mock;

  function gateWith(policy?: McpAccessPolicy, metrics?: McpObserver): McpToolGate {
    return new McpToolGate(registry, new McpExecutor(registry, MCP_DEFAULT_OPTIONS), policy, metrics, audit);
  }

  beforeEach(() => {
    registry = new McpRegistry();
    ran = jest.fn(() => 'ran');
    registry.addTool(tool('open', ran));
    registry.addTool(tool('secret', ran));
    records = [];
    audit = { record: (call) => records.push(call) };
  });

  it('runs an allowed tool and records it as ok', async () => {
    const sut = gateWith(policyWith());

    await expect(sut.callTool('open', {}, environment())).resolves.toEqual({ content: [{ type: 'text', text: 'ran' }] });

    expect(records).toEqual([
      expect.objectContaining({ kind: 'tool', target: 'open', outcome: 'ok', principal: 'alice', tenantId: 'acme', sessionId: 's-1' }),
    ]);
  });

  it('refuses a tool the policy forbids with -32003 before the method runs', async () => {
    const sut = gateWith(policyWith());

    const refusal = await sut.callTool('secret', {}, environment()).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(McpProtocolError);
    expect((refusal as McpProtocolError).code).toBe(JSONRPC_ERROR.FORBIDDEN);
    expect((refusal as McpProtocolError).message).toContain('gate:secret');
    expect(ran).not.toHaveBeenCalled();
    expect(records).toEqual([expect.objectContaining({ target: 'secret', outcome: 'forbidden' })]);
  });

  it('refuses a call past the tool’s quota with -32004 and the retry delay', async () => {
    const sut = gateWith(policyWith({ allowed: false, limit: 2, remaining: 0, resetSeconds: 30 }));

    const refusal = (await sut.callTool('open', {}, environment()).catch((error: unknown) => error)) as McpProtocolError;

    expect(refusal.code).toBe(JSONRPC_ERROR.TOO_MANY_CALLS);
    expect(refusal.data).toEqual({ limit: 2, retryAfterSeconds: 30 });
    expect(ran).not.toHaveBeenCalled();
    expect(records).toEqual([expect.objectContaining({ outcome: 'rate_limited' })]);
  });

  it('does not count a forbidden call against the quota', async () => {
    const policy = policyWith();
    const sut = gateWith(policy);

    await sut.callTool('secret', {}, environment()).catch(() => undefined);

    expect(policy.consumeToolQuota).not.toHaveBeenCalled();
  });

  it('answers an unknown tool with -32602', async () => {
    const sut = gateWith(policyWith());

    await expect(sut.callTool('nope', {}, environment())).rejects.toMatchObject({ code: JSONRPC_ERROR.INVALID_PARAMS });
  });

  it('lets every tool through without a policy (no AuthModule)', async () => {
    const sut = gateWith(undefined);

    await expect(sut.callTool('secret', {}, environment())).resolves.toMatchObject({ content: [{ text: 'ran' }] });
  });

  it('lists only the tools the policy lets a caller see, per caller', () => {
    const policy = policyWith();
    const sut = gateWith(policy);

    expect(sut.toolsFor(environment('alice').request).map((listed) => listed.name)).toEqual(['open']);
    expect(sut.toolsFor(environment('alice').request).map((listed) => listed.name)).toEqual(['open']);

    // The second list came from the cache: the policy was asked once per tool.
    expect(policy.toolAccess).toHaveBeenCalledTimes(2);
  });

  it('records a tool that throws as a tool error', async () => {
    registry.addTool(
      tool('broken', () => {
        throw new Error('boom');
      }),
    );
    const sut = gateWith(policyWith());
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    await expect(sut.callTool('broken', {}, environment())).resolves.toMatchObject({ isError: true });

    expect(records).toEqual([expect.objectContaining({ target: 'broken', outcome: 'tool_error' })]);
  });

  it('reports every request it observes to the metrics observer, with its outcome', async () => {
    const metrics = observer();
    const sut = gateWith(undefined, metrics);

    await sut.observe('tools/call', environment().request, 'open', () => ({ content: [], isError: true }));
    await sut.observe('ping', undefined, undefined, () => Promise.reject(new Error('no'))).catch(() => undefined);

    expect(metrics.requestStarted).toHaveBeenCalledTimes(2);
    expect(metrics.requestFinished).toHaveBeenNthCalledWith(
      1,
      expect.objectContaining({ method: 'tools/call', tool: 'open', tenantId: 'acme', status: 'tool_error' }),
    );
    expect(metrics.requestFinished).toHaveBeenNthCalledWith(2, expect.objectContaining({ method: 'ping', status: 'error' }));
  });
});
