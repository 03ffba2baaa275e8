import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, type AuditRecord } from '../src/audit';
import { generateApiKey } from '../src/auth/api-key.generator';
import { QuotaToolsModule } from './fixtures/quota-tools.module';
import { RunningPlatform, connectClient, postRaw, startPlatform } from './helpers/platform';

const SECRET_ARGUMENT = 'do-not-log-this-value-7f3a';

describe('the audit trail', () => {
  const caller = generateApiKey();
  const limited = generateApiKey();
  let dir: string;
  let file: string;
  let platform: RunningPlatform;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-audit-'));
    file = join(dir, 'audit.jsonl');
    platform = await startPlatform(
      {
        audit: { enabled: true, file, arguments: 'hash', argumentsInFull: ['fixture_quota'] },
        auth: {
          apiKeys: [
            { id: 'auditor', hash: caller.hash, permissions: ['calculator:*', 'quotaTools:*', 'quota-tools:*', 'diagnostics:echo'] },
            { id: 'limited', hash: limited.hash, permissions: ['*'], rateLimit: { limit: 1, ttlSeconds: 60 } },
          ],
        },
      },
      [QuotaToolsModule],
    );
  });

  afterAll(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function records(): AuditRecord[] {
    platform.app.get(AuditTrail).flush();
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditRecord);
  }

  it('records an allowed, a denied, a failing and a rate-limited tool call, with no argument values and no secrets', async () => {
    const { client, transport } = await connectClient(platform.mcpUrl, { headers: { 'x-api-key': caller.key } });
    try {
      expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).isError).toBeFalsy();
      await expect(client.callTool({ name: 'environmentDump', arguments: {} })).rejects.toThrow(/-32003|not allowed|forbidden/i);
      expect((await client.callTool({ name: 'divide', arguments: { a: 1, b: 0 } })).isError).toBe(true);
      await client.callTool({ name: 'fixture_quota', arguments: {} });
      await client.callTool({ name: 'fixture_quota', arguments: {} });
      await expect(client.callTool({ name: 'fixture_quota', arguments: {} })).rejects.toThrow(/-32004|limit/i);
      expect((await client.callTool({ name: 'echo', arguments: { message: SECRET_ARGUMENT } })).isError).toBeFalsy();
      await transport.terminateSession();
    } finally {
      await client.close();
    }

    const trail = records();
    const calls = trail.filter((record) => record.action === 'tools/call');
    const common = { type: 'audit', principal: 'auditor', requestId: expect.any(String), sessionId: expect.any(String), durationMs: expect.any(Number) };
    expect(calls.find((record) => record.target === 'add')).toEqual({
      ...common,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      action: 'tools/call',
      target: 'add',
      outcome: 'ok',
      nodeId: 'test-node',
      argumentsHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(calls.find((record) => record.target === 'environmentDump')).toMatchObject({ ...common, outcome: 'denied' });
    expect(calls.find((record) => record.target === 'divide')).toMatchObject({ ...common, outcome: 'error', reason: 'tool_error' });
    const quota = calls.filter((record) => record.target === 'fixture_quota');
    expect(quota.map((record) => record.outcome)).toEqual(['ok', 'ok', 'rate_limited']);
    // Named in audit.argumentsInFull: its arguments in full.
    expect(quota[0].arguments).toEqual({});
    expect(trail.some((record) => record.action === 'session.start' && record.principal === 'auditor')).toBe(true);
    expect(trail.some((record) => record.action === 'session.end' && record.principal === 'auditor')).toBe(true);

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(SECRET_ARGUMENT);
    expect(text).not.toContain(caller.key);
    // Equal arguments hash equally (canonical JSON: key order does not matter).
    const add = calls.find((record) => record.target === 'add')!;
    expect(add.argumentsHash).toBe(calls.find((record) => record.target === 'add')!.argumentsHash);
  });

  it('records refused requests: a wrong credential (denied) and a key over its rate limit (rate_limited)', async () => {
    const wrong = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'x-api-key': 'not-a-key-at-all-0123456789' });
    expect(wrong.status).toBe(401);
    await wrong.text();
    const first = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'x-api-key': limited.key });
    await first.text();
    const over = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'x-api-key': limited.key });
    expect(over.status).toBe(429);
    await over.text();

    const refusals = records().filter((record) => record.action === 'auth');
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'audit', outcome: 'denied', target: 'POST /mcp', reason: expect.any(String) }),
        expect.objectContaining({ type: 'audit', outcome: 'rate_limited', principal: 'limited', target: 'POST /mcp' }),
      ]),
    );
    expect(readFileSync(file, 'utf8')).not.toContain('not-a-key-at-all-0123456789');
    expect(readFileSync(file, 'utf8')).not.toContain(limited.key);
  });
});
