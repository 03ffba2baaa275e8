import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { classifyInboundRequest } from '@modelcontextprotocol/server';
import fc from 'fast-check';
import type { ProtocolMode } from '../../mcp-module-options.interface';
import { isJsonRpcMessage } from '../http/json-rpc.body';
import { ProtocolEra, protocolEra } from './protocol-era';

const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
/** A complete 2026-07-28 per-request envelope: the claim and the keys that go with it. */
const ENVELOPE = {
  [VERSION_KEY]: '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'spec-client', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function request(method: string, headers: IncomingHttpHeaders = {}): IncomingMessage {
  return { method, headers } as IncomingMessage;
}

const post = (headers: IncomingHttpHeaders = {}) => request('POST', headers);
const modernHeaders = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'add' };
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
};
const claimedCall = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1 }, _meta: ENVELOPE } };
const plainCall = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add', arguments: { a: 1 } } };
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };

describe(protocolEra.name, () => {
  describe("in 'dual' mode", () => {
    it.each<[string, ProtocolEra, IncomingMessage, unknown]>([
      ['initialize without a claim', 'legacy', post(), initialize],
      ['initialize with a 2025 header', 'legacy', post({ 'mcp-protocol-version': '2025-11-25' }), initialize],
      ['a call that claims 2026-07-28 in params._meta, with its headers', 'modern', post(modernHeaders), claimedCall],
      ['a call that claims 2026-07-28 in params._meta, without headers (the body decides)', 'modern', post(), claimedCall],
      [
        'a call that claims only the version (the SDK refuses the envelope, on that leg)',
        'modern',
        post(),
        { ...plainCall, params: { name: 'add', _meta: { [VERSION_KEY]: '2026-07-28' } } },
      ],
      ['a call with a 2025 header and no claim', 'legacy', post({ 'mcp-protocol-version': '2025-11-25' }), plainCall],
      ['a call with an older 2025 header and no claim', 'legacy', post({ 'mcp-protocol-version': '2025-03-26' }), plainCall],
      ['a call with neither header nor claim', 'legacy', post(), plainCall],
      ['a call with other _meta keys and no claim', 'legacy', post(), { ...plainCall, params: { name: 'add', _meta: { progressToken: 1 } } }],
      [
        'a call with a 2026-07-28 header and no claim (the SDK refuses it, on that leg)',
        'modern',
        post({ 'mcp-protocol-version': '2026-07-28' }),
        plainCall,
      ],
      [
        'a call with an unknown header version and no claim (the SDK refuses it, on that leg)',
        'modern',
        post({ 'mcp-protocol-version': 'garbage' }),
        plainCall,
      ],
      ['a call whose repeated header first names 2026-07-28', 'modern', post({ 'mcp-protocol-version': ['2026-07-28', '2025-11-25'] }), plainCall],
      ['a notification without a claim', 'legacy', post(), initialized],
      ['a notification with a 2025 header', 'legacy', post({ 'mcp-protocol-version': '2025-11-25' }), initialized],
      ['a response posted by the client', 'legacy', post(), { jsonrpc: '2.0', id: 7, result: {} }],
      ['a batch without claims', 'legacy', post(), [plainCall, initialized]],
      ['a batch with a 2025 header and no claims', 'legacy', post({ 'mcp-protocol-version': '2025-11-25' }), [plainCall, initialized]],
      ['a batch with one claimed element (the SDK refuses it, on that leg)', 'modern', post(), [plainCall, claimedCall]],
    ])('routes %s to the %s leg', (_label, era, req, body) => {
      expect(protocolEra(req, body, 'dual')).toBe(era);
    });

    it.each(['GET', 'DELETE'])('routes a %s to the legacy leg, whatever its headers', (method) => {
      expect(protocolEra(request(method, modernHeaders), undefined, 'dual')).toBe('legacy');
      expect(protocolEra(request(method, modernHeaders), claimedCall, 'dual')).toBe('legacy');
    });
  });

  describe('a single-era mode', () => {
    it.each<[string, IncomingMessage, unknown]>([
      ['initialize', post(), initialize],
      ['a claimed call', post(modernHeaders), claimedCall],
      ['a batch with a claimed element', post(), [claimedCall]],
      ['a GET', request('GET', modernHeaders), undefined],
      ['a call with a 2026-07-28 header', post({ 'mcp-protocol-version': '2026-07-28' }), plainCall],
    ])('routes %s to the leg the mode names', (_label, req, body) => {
      for (const mode of ['legacy', 'modern'] as const) expect(protocolEra(req, body, mode)).toBe(mode);
    });
  });

  describe('agreement with the SDK', () => {
    const VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28', undefined, 'garbage'];
    const METHODS = [
      'initialize',
      'ping',
      'server/discover',
      'tools/list',
      'tools/call',
      'resources/read',
      'prompts/get',
      'subscriptions/listen',
      'notifications/initialized',
      'notifications/cancelled',
    ];

    const methodArb = fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 16 }));
    const metaArb = fc.oneof(
      // No claim: other _meta keys only.
      fc.record(
        {
          progressToken: fc.oneof(fc.integer(), fc.string({ maxLength: 8 })),
          'io.modelcontextprotocol/clientInfo': fc.jsonValue({ maxDepth: 1 }),
          x: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
      // A complete envelope claiming some version.
      fc.constantFrom(...VERSIONS).map((version) => ({ ...ENVELOPE, [VERSION_KEY]: version ?? '2026-07-28' })),
      // A bare claim, of any value.
      fc.oneof(fc.constantFrom(...VERSIONS.filter(Boolean)), fc.jsonValue({ maxDepth: 1 })).map((version) => ({ [VERSION_KEY]: version })),
    );
    const paramsArb = fc.option(fc.record({ name: fc.string({ maxLength: 8 }), _meta: metaArb }, { requiredKeys: ['name'] }), { nil: undefined });
    const idArb = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }));
    // Bodies reach the router once the HTTP edge has let them through as JSON-RPC messages.
    const messageArb = fc
      .oneof(
        fc
          .record({ id: idArb, method: methodArb, params: paramsArb })
          .map(({ id, method, params }) => ({ jsonrpc: '2.0', id, method, ...(params && { params }) })),
        fc.record({ method: methodArb, params: paramsArb }).map(({ method, params }) => ({ jsonrpc: '2.0', method, ...(params && { params }) })),
        idArb.map((id) => ({ jsonrpc: '2.0', id, result: {} })),
        idArb.map((id) => ({ jsonrpc: '2.0', id, error: { code: -32601, message: 'nope' } })),
      )
      .filter(isJsonRpcMessage);
    const bodyArb = fc.oneof({ weight: 3, arbitrary: messageArb }, { weight: 1, arbitrary: fc.array(messageArb, { minLength: 1, maxLength: 4 }) });
    const headersArb = fc.record({
      version: fc.constantFrom(...VERSIONS),
      method: fc.option(fc.constantFrom(...METHODS), { nil: undefined }),
      name: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    });

    it("routes every JSON-RPC body as the SDK's own classification does (500 runs)", () => {
      const seen = new Set<ProtocolEra>();

      fc.assert(
        fc.property(bodyArb, headersArb, (body, { version, method, name }) => {
          const headers: IncomingHttpHeaders = {
            ...(version !== undefined && { 'mcp-protocol-version': version }),
            ...(method !== undefined && { 'mcp-method': method }),
            ...(name !== undefined && { 'mcp-name': name }),
          };
          const sdk = classifyInboundRequest({ httpMethod: 'POST', protocolVersionHeader: version, mcpMethodHeader: method, mcpNameHeader: name, body });
          const expected: ProtocolEra = sdk.kind === 'legacy' ? 'legacy' : 'modern';

          const era = protocolEra(post(headers), body, 'dual' satisfies ProtocolMode);

          seen.add(era);
          expect(era).toBe(expected);
        }),
        { numRuns: 500 },
      );
      // Both legs were reached, so the agreement is not vacuous.
      expect([...seen].sort()).toEqual(['legacy', 'modern']);
    });
  });
});
