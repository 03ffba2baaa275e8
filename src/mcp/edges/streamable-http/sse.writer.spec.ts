import { createServer, get, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter, jsonOrError } from './sse.writer';

/** A real HTTP exchange: the test's handler gets the response, the client reads the stream. */
async function exchange(
  serve: (res: ServerResponse) => void,
): Promise<{ body: () => string; headers: () => IncomingMessage['headers']; ended: Promise<void>; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => serve(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let text = '';
  let response!: IncomingMessage;
  const ended = new Promise<void>((resolve) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', resolve);
    });
  });
  return {
    body: () => text,
    headers: () => response.headers,
    ended,
    close: async () => {
      response?.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('SseWriter', () => {
  it('writes an answer given in the same turn as one SSE response and ends it', async () => {
    const client = await exchange((res) => {
      const writer = new SseWriter(res, { 'Mcp-Session-Id': 's1' }, { batchFirstWrites: true, keepAliveMs: 1 });
      writer.message({ jsonrpc: '2.0', id: 1, result: {} }, 'stream#0');
      writer.end();
    });
    try {
      await client.ended;
      expect(client.body()).toBe('id: stream#0\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
      // One body with its length, not chunks: one socket write.
      expect(client.headers()['content-length']).toBe(String(Buffer.byteLength(client.body())));
      expect(client.headers()['transfer-encoding']).toBeUndefined();
      expect(client.headers()['content-type']).toBe('text/event-stream');
      expect(client.headers()['mcp-session-id']).toBe('s1');
    } finally {
      await client.close();
    }
  });

  it('sends keep-alive comments on a stream that stays open, and stops when it ends', async () => {
    let writer!: SseWriter;
    const client = await exchange((res) => {
      writer = new SseWriter(res, {}, { batchFirstWrites: true, keepAliveMs: 10 });
    });
    try {
      await until(() => client.body().includes(': keep-alive\n\n'));
      expect(client.headers()['transfer-encoding']).toBe('chunked');
      writer.message({ jsonrpc: '2.0', method: 'notifications/progress' });
      writer.end();
      await client.ended;
      expect(writer.open).toBe(false);
      expect(writer.message({ late: true })).toBe(false);
      expect(client.body()).not.toContain('late');
    } finally {
      await client.close();
    }
  });

  it('flushes the headers at once for a stream that may stay quiet', async () => {
    let headersSent = false;
    const client = await exchange((res) => {
      new SseWriter(res, { 'Mcp-Session-Id': 's2' }, { keepAliveMs: 60_000 });
      headersSent = res.headersSent;
      res.end();
    });
    try {
      await client.ended;
      expect(headersSent).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe(jsonOrError.name, () => {
  it('writes JSON, and answers with -32603 for an answer JSON cannot write', () => {
    expect(jsonOrError({ jsonrpc: '2.0', id: 1, result: {} })).toBe('{"jsonrpc":"2.0","id":1,"result":{}}');
    expect(JSON.parse(jsonOrError({ jsonrpc: '2.0', id: 7, result: { _meta: { big: 1n } } })!)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32603, message: 'Internal error: the answer could not be written as JSON' },
    });
    expect(jsonOrError({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1n } })).toBeUndefined();
  });
});
