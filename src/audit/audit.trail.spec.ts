import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail } from './audit.trail';
import { canonicalJson } from '../common/canonical-json';

describe(canonicalJson.name, () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe(AuditTrail.name, () => {
  let dir: string;

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-unit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const call = { kind: 'tool' as const, target: 'add', requestId: 'r1', principal: 'ci', durationMs: 1.234, arguments: { b: 2, a: 1 } };

  it('writes one line per record and keeps buffered records through shutdown', () => {
    const file = join(dir, 'nested', 'audit.jsonl');
    const sut = new AuditTrail({ destination: file, arguments: 'hash', nodeId: 'n1' });
    sut.record({ ...call, outcome: 'ok' });
    sut.record({ ...call, arguments: { a: 1, b: 2 }, outcome: 'forbidden' });
    sut.onApplicationShutdown();
    const [first, second] = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ type: 'audit', action: 'tools/call', target: 'add', outcome: 'ok', principal: 'ci', nodeId: 'n1', durationMs: 1.23 });
    expect(second.outcome).toBe('denied');
    expect(first.argumentsHash).toBe(second.argumentsHash);
    expect(first.arguments).toBeUndefined();
  });

  it('leaves arguments out by default and keeps them whole only for the tools named', () => {
    const file = join(dir, 'audit.jsonl');
    const sut = new AuditTrail({ destination: file, argumentsInFull: ['add'] });
    sut.record({ ...call, outcome: 'ok' });
    sut.record({ ...call, target: 'other', outcome: 'tool_error' });
    sut.onApplicationShutdown();
    const [full, omitted] = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(full.arguments).toEqual({ b: 2, a: 1 });
    expect(omitted).not.toHaveProperty('arguments');
    expect(omitted).not.toHaveProperty('argumentsHash');
    expect(omitted).toMatchObject({ outcome: 'error', reason: 'tool_error' });
  });
});
