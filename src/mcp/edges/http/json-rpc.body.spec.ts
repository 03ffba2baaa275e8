import { isJsonContentType, isJsonRpcMessage, textDeeperThan, valueDeeperThan } from './json-rpc.body';

describe(isJsonRpcMessage.name, () => {
  describe('requests', () => {
    it('accepts a request with a string id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 'a', method: 'tools/list' })).toBe(true);
    });

    it('accepts a request with a number id and object params', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add' } })).toBe(true);
    });

    it('refuses array params (MCP names its params; the SDK would drop the request unanswered)', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'm', params: [1, 2] })).toBe(false);
    });

    it.each([
      ['a request that is also a response', { jsonrpc: '2.0', id: 1, method: 'm', result: {} }],
      ['_meta that is not an object', { jsonrpc: '2.0', id: 1, method: 'm', params: { _meta: [] } }],
      ['an object as progress token', { jsonrpc: '2.0', id: 1, method: 'm', params: { _meta: { progressToken: { a: 1 } } } }],
      ['a fractional progress token', { jsonrpc: '2.0', id: 1, method: 'm', params: { _meta: { progressToken: 1.5 } } }],
      ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'm' }],
      ['an object as id', { jsonrpc: '2.0', id: { a: 1 }, method: 'm' }],
    ])('refuses %s', (_name, message) => {
      expect(isJsonRpcMessage(message)).toBe(false);
    });

    it('refuses a null id on a request', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: null, method: 'tools/list' })).toBe(false);
    });

    it('refuses a non-finite number id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: Number.NaN, method: 'tools/list' })).toBe(false);
    });

    it('refuses an object id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: {}, method: 'tools/list' })).toBe(false);
    });

    it('refuses an empty method', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: '' })).toBe(false);
    });

    it('refuses a non-string method', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 42 })).toBe(false);
    });

    it('refuses scalar params', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'm', params: 'x' })).toBe(false);
    });

    it('refuses null params', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'm', params: null })).toBe(false);
    });
  });

  describe('notifications', () => {
    it('accepts a notification without an id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(true);
    });
  });

  describe('results', () => {
    it('accepts a result with an id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, result: {} })).toBe(true);
    });

    it('refuses a result with a null id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: null, result: {} })).toBe(false);
    });

    it('refuses a result without an id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', result: {} })).toBe(false);
    });

    it('refuses a scalar result', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, result: 'ok' })).toBe(false);
    });
  });

  describe('errors', () => {
    it('accepts an error with an id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 'a', error: { code: -32600, message: 'x' } })).toBe(true);
    });

    it('accepts an error with a null id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'x' } })).toBe(true);
    });

    it('refuses an error without an id', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', error: { code: -32700, message: 'x' } })).toBe(false);
    });

    it('refuses a null error', () => {
      expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, error: null })).toBe(false);
    });
  });

  describe('other shapes', () => {
    it.each([
      ['null', null],
      ['a string', '{"jsonrpc":"2.0"}'],
      ['an array', [{ jsonrpc: '2.0', id: 1, method: 'm' }]],
      ['an object without jsonrpc', { id: 1, method: 'm' }],
      ['jsonrpc 1.0', { jsonrpc: '1.0', id: 1, method: 'm' }],
      ['jsonrpc as a number', { jsonrpc: 2, id: 1, method: 'm' }],
      ['neither method, result nor error', { jsonrpc: '2.0', id: 1 }],
    ])('refuses %s', (_label, value) => {
      expect(isJsonRpcMessage(value)).toBe(false);
    });
  });
});

describe(isJsonContentType.name, () => {
  it('accepts application/json', () => {
    expect(isJsonContentType('application/json')).toBe(true);
  });

  it('accepts parameters and any case', () => {
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
  });

  it('refuses a missing content type', () => {
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('refuses other types', () => {
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('application/json-seq')).toBe(false);
    expect(isJsonContentType('application/jsonx')).toBe(false);
  });
});

describe(textDeeperThan.name, () => {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it('measures the nesting of objects and arrays', () => {
    expect(textDeeperThan(nested(64), 64)).toBe(false);
    expect(textDeeperThan(nested(65), 64)).toBe(true);
    expect(textDeeperThan('['.repeat(100) + ']'.repeat(100), 64)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ text: '{'.repeat(500) + '\\"[[[' + '"'.repeat(3) });
    expect(textDeeperThan(text, 64)).toBe(false);
  });

  it('agrees with the walk of the parsed value', () => {
    for (const depth of [1, 10, 64, 65, 200]) {
      expect(valueDeeperThan(JSON.parse(nested(depth)), 64)).toBe(textDeeperThan(nested(depth), 64));
    }
  });
});
