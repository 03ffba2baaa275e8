import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { MemoryEventStore } from '../../../session';
import { HttpExchange, HttpExchangeOptions } from './http-exchange';

/**
 * A Node response as HttpExchange and SseWriter use it: records the status, headers and
 * body, and counts anything written once it was ended or destroyed.
 */
class FakeResponse extends EventEmitter {
  statusCode = 0;
  sentHeaders: Record<string, string> = {};
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  readonly socket = null;
  writesAfterClose = 0;
  private readonly chunks: string[] = [];

  writeHead(status: number, headers: Record<string, string> = {}): this {
    if (this.headersSent || this.destroyed) this.writesAfterClose += 1;
    this.statusCode = status;
    this.sentHeaders = { ...headers };
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {}

  hasHeader(): boolean {
    return false;
  }

  write(chunk: string): boolean {
    this.record(chunk);
    return true;
  }

  end(chunk?: string): this {
    if (chunk !== undefined) this.record(chunk);
    else if (this.writableEnded || this.destroyed) this.writesAfterClose += 1;
    this.writableEnded = true;
    return this;
  }

  /** The client went away. */
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }

  get body(): string {
    return this.chunks.join('');
  }

  private record(chunk: string): void {
    if (this.writableEnded || this.destroyed) this.writesAfterClose += 1;
    else this.chunks.push(chunk);
  }
}

interface Frame {
  id?: string;
  retry?: string;
  data?: string;
}

/** The SSE frames of a body, field by field. */
function framesOf(body: string): Frame[] {
  return body
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const frame: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        frame[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
      }
      return frame;
    });
}

/** Lets the turn end: the exchange stores what the turn wrote in a `setImmediate`. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const answer = (id: string | number, result: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, result });
const progress = (n: number) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: n } });

describe(HttpExchange.name, () => {
  let res: FakeResponse;
  let now: number;
  let events: MemoryEventStore;
  let onSettled: jest.Mock;
  let onStoreError: jest.Mock;

  function exchangeWith(options: Partial<HttpExchangeOptions> = {}): HttpExchange {
    return new HttpExchange(res as unknown as ServerResponse, {
      json: false,
      requestIds: [1],
      batch: false,
      headers: {},
      onStoreError,
      onSettled,
      ...options,
    });
  }

  /** A resumable SSE exchange: a session and an event store. */
  function resumableWith(options: Partial<HttpExchangeOptions> = {}): HttpExchange {
    return exchangeWith({ sessionId: 'sess', events, protocolVersion: '2025-06-18', ...options });
  }

  beforeEach(() => {
    res = new FakeResponse();
    now = 1_000_000;
    events = new MemoryEventStore({ maxEventsPerStream: 100, openTtlSeconds: 60, completedTtlSeconds: 300 }, () => now);
    onSettled = jest.fn();
    onStoreError = jest.fn();
  });

  afterEach(() => {
    // Stops the SSE keep-alive of a stream a test left open.
    if (!res.destroyed) res.destroy();
    events.onApplicationShutdown();
  });

  describe('JSON answers', () => {
    it('answers a single request with its response as one JSON body', () => {
      const sut = exchangeWith({ json: true, headers: { 'Mcp-Session-Id': 'sess' } });
      sut.start();

      sut.respond(answer(1, { tools: [] }));

      expect(res.statusCode).toBe(200);
      expect(res.sentHeaders).toEqual({ 'Mcp-Session-Id': 'sess', 'Content-Type': 'application/json' });
      expect(JSON.parse(res.body)).toEqual(answer(1, { tools: [] }));
      expect(res.writableEnded).toBe(true);
    });

    it('answers a batch with an array once every request is answered, in the order the answers came', () => {
      const sut = exchangeWith({ json: true, batch: true, requestIds: [1, 2] });
      sut.start();

      sut.respond(answer(2));
      expect(res.headersSent).toBe(false);
      sut.respond(answer(1));

      expect(JSON.parse(res.body)).toEqual([answer(2), answer(1)]);
    });

    it('answers a batch of one with an array', () => {
      const sut = exchangeWith({ json: true, batch: true, requestIds: ['a'] });

      sut.respond(answer('a'));

      expect(JSON.parse(res.body)).toEqual([answer('a')]);
    });

    it('ignores a response to an id the POST did not carry, telling a numeric id from a string one', () => {
      const sut = exchangeWith({ json: true, requestIds: [1] });

      sut.respond(answer('1'));
      sut.respond(answer(2));

      expect(res.headersSent).toBe(false);
      expect(onSettled).not.toHaveBeenCalled();
    });

    it('ignores a second response to the same request', () => {
      const sut = exchangeWith({ json: true, batch: true, requestIds: [1, 2] });

      sut.respond(answer(1, { first: true }));
      sut.respond(answer(1, { second: true }));
      sut.respond(answer(2));

      expect(JSON.parse(res.body)).toEqual([answer(1, { first: true }), answer(2)]);
    });

    it('leaves an abandoned request out of the batch answer', () => {
      const sut = exchangeWith({ json: true, batch: true, requestIds: [1, 2] });

      sut.respond(answer(1));
      sut.abandon(2);

      expect(JSON.parse(res.body)).toEqual([answer(1)]);
    });

    it('sends no response when its only request is abandoned', () => {
      const sut = exchangeWith({ json: true, requestIds: [1] });

      sut.abandon(1);

      expect(res.body).toBe('');
      expect(res.writableEnded).toBe(true);
      expect(onSettled).toHaveBeenCalledTimes(1);
    });

    it('leaves notifications out of a JSON answer', () => {
      const sut = exchangeWith({ json: true });

      sut.write(progress(1));
      sut.respond(answer(1));

      expect(JSON.parse(res.body)).toEqual(answer(1));
    });

    it('writes nothing to a response destroyed before the answer, and still settles', () => {
      const sut = exchangeWith({ json: true });
      res.destroy();

      sut.respond(answer(1));

      expect(res.headersSent).toBe(false);
      expect(res.body).toBe('');
      expect(res.writesAfterClose).toBe(0);
      expect(onSettled).toHaveBeenCalledTimes(1);
    });
  });

  describe('SSE answers', () => {
    it('opens an event stream with the exchange headers by the end of the turn it started in', async () => {
      const sut = exchangeWith({ headers: { 'Mcp-Session-Id': 'sess' } });

      sut.start();
      await nextTurn();

      expect(res.statusCode).toBe(200);
      expect(res.sentHeaders).toMatchObject({ 'Mcp-Session-Id': 'sess', 'Content-Type': 'text/event-stream' });
      expect(res.writableEnded).toBe(false);
    });

    it('streams the related messages, then the answer, and ends the stream', () => {
      const sut = exchangeWith();
      sut.start();

      sut.write(progress(1));
      sut.respond(answer(1));

      expect(framesOf(res.body)).toEqual([
        { event: 'message', data: JSON.stringify(progress(1)) },
        { event: 'message', data: JSON.stringify(answer(1)) },
      ]);
      expect(res.writableEnded).toBe(true);
    });

    it('keeps a batch stream open until every request is answered or abandoned', () => {
      const sut = exchangeWith({ batch: true, requestIds: [1, 2, 3] });
      sut.start();

      sut.respond(answer(3));
      sut.abandon(1);
      expect(res.writableEnded).toBe(false);
      sut.respond(answer(2));

      expect(framesOf(res.body).map((frame) => JSON.parse(frame.data!).id)).toEqual([3, 2]);
      expect(res.writableEnded).toBe(true);
    });

    it('writes nothing once the client has gone', () => {
      const sut = exchangeWith({ batch: true, requestIds: [1, 2] });
      sut.start();
      sut.respond(answer(1));
      const before = res.body;

      res.destroy();
      sut.write(progress(1));
      sut.respond(answer(2));

      expect(res.body).toBe(before);
      expect(res.writesAfterClose).toBe(0);
      expect(onSettled).toHaveBeenCalledTimes(1);
    });

    it('settles once, however many answers and abandons follow', () => {
      const sut = exchangeWith({ batch: true, requestIds: [1, 2] });
      sut.start();

      sut.respond(answer(1));
      sut.abandon(2);
      sut.respond(answer(2));
      sut.abandon(1);
      sut.abandon(2);

      expect(onSettled).toHaveBeenCalledTimes(1);
    });

    it('does not number, prime or store a stream without a session', async () => {
      const write = jest.spyOn(events, 'write');
      const sut = exchangeWith({ events, protocolVersion: '2025-11-25' });
      sut.start();

      sut.respond(answer(1));
      await nextTurn();

      expect(sut.resumable).toBe(false);
      expect(framesOf(res.body)).toEqual([{ event: 'message', data: JSON.stringify(answer(1)) }]);
      expect(write).not.toHaveBeenCalled();
    });

    it('ignores closeStream on a stream that is not resumable', () => {
      const sut = exchangeWith();
      sut.start();

      sut.closeStream();

      expect(res.writableEnded).toBe(false);
    });
  });

  describe('OAuth step-up (an error whose data carries wwwAuthenticate)', () => {
    const refused = (id: number) => ({
      jsonrpc: '2.0',
      id,
      error: {
        code: -32003,
        message: 'needs scope',
        data: { requiredScopes: ['mcp:calc'], wwwAuthenticate: 'Bearer error="insufficient_scope", scope="mcp:calc"' },
      },
    });

    it('answers a single request refused at once with HTTP 403, the challenge and the JSON-RPC error, opening no stream', async () => {
      const sut = resumableWith({ protocolVersion: '2025-11-25' });
      sut.start();

      sut.respond(refused(1));
      await nextTurn();

      expect(res.statusCode).toBe(403);
      expect(res.sentHeaders).toMatchObject({
        'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="mcp:calc"',
        'Content-Type': 'application/json',
      });
      expect(JSON.parse(res.body)).toEqual(refused(1));
      expect(onSettled).toHaveBeenCalledTimes(1);
    });

    it('answers it with 403 in JSON mode too', () => {
      const sut = exchangeWith({ json: true });
      sut.start();

      sut.respond(refused(1));

      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body)).toEqual(refused(1));
    });

    it('keeps the refusal inside a batch, with HTTP 200', () => {
      const sut = exchangeWith({ json: true, batch: true, requestIds: [1, 2] });
      sut.start();

      sut.respond(refused(1));
      sut.respond(answer(2));

      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual([refused(1), answer(2)]);
    });

    it('writes the refusal as an event once the stream is open', async () => {
      const sut = exchangeWith();
      sut.start();
      await nextTurn();

      sut.respond(refused(1));

      expect(res.statusCode).toBe(200);
      expect(framesOf(res.body)).toEqual([{ event: 'message', data: JSON.stringify(refused(1)) }]);
    });
  });

  describe('resumable streams', () => {
    it('answers a call done within its first turn as one SSE body with nothing to resume: no ids, no priming, nothing stored', async () => {
      const write = jest.spyOn(events, 'write');
      const sut = resumableWith({ protocolVersion: '2025-11-25' });
      sut.start();

      sut.write(progress(1));
      sut.respond(answer(1));
      await nextTurn();
      await nextTurn();

      expect(framesOf(res.body)).toEqual([
        { event: 'message', data: JSON.stringify(progress(1)) },
        { event: 'message', data: JSON.stringify(answer(1)) },
      ]);
      expect(res.sentHeaders['Content-Length']).toBe(String(Buffer.byteLength(res.body)));
      expect(write).not.toHaveBeenCalled();
    });

    it('gives every event of a stream that outlives its first turn an id of its session’s stream, numbered from 0', async () => {
      const sut = resumableWith();
      sut.start();

      sut.write(progress(1));
      await nextTurn();
      sut.respond(answer(1));

      const ids = framesOf(res.body).map((frame) => frame.id);
      expect(sut.resumable).toBe(true);
      expect(ids).toEqual([expect.stringMatching(/^sess\/[0-9a-f-]{36}#0$/), expect.stringMatching(/#1$/)]);
      expect(ids[1]!.replace(/#1$/, '')).toBe(ids[0]!.replace(/#0$/, ''));
    });

    it('primes the stream with an empty event and the retry interval for clients from 2025-11-25 on', async () => {
      const sut = resumableWith({ protocolVersion: '2025-11-25', retryIntervalMs: 1500 });
      sut.start();
      await nextTurn();

      sut.respond(answer(1));

      const [priming, response] = framesOf(res.body);
      expect(priming).toEqual({ id: expect.stringMatching(/#0$/), retry: '1500', data: '' });
      expect(response).toEqual({ id: expect.stringMatching(/#1$/), event: 'message', data: JSON.stringify(answer(1)) });
    });

    it('does not prime the stream for a client older than 2025-11-25', async () => {
      const sut = resumableWith({ protocolVersion: '2025-06-18', retryIntervalMs: 1500 });
      sut.start();
      await nextTurn();

      sut.respond(answer(1));

      expect(framesOf(res.body)).toEqual([{ id: expect.stringMatching(/#0$/), event: 'message', data: JSON.stringify(answer(1)) }]);
    });

    it('does not prime the stream when the protocol version is unknown', () => {
      const sut = resumableWith({ protocolVersion: undefined });
      sut.start();

      expect(res.body).toBe('');
    });

    it('stores what one turn wrote (progress, answer and end) in one store write', async () => {
      const write = jest.spyOn(events, 'write');
      const sut = resumableWith({ protocolVersion: '2025-11-25' });
      sut.start();
      await nextTurn(); // live: primed
      await nextTurn();
      expect(write).toHaveBeenCalledTimes(1);
      sut.write(progress(1));
      sut.respond(answer(1));
      expect(write).toHaveBeenCalledTimes(1);

      await nextTurn();

      expect(write).toHaveBeenCalledTimes(2);
      const [streamKey, stored, end] = write.mock.calls[1]!;
      expect(streamKey).toMatch(/^sess\//);
      expect(stored).toEqual([
        { sequence: 1, message: progress(1) },
        { sequence: 2, message: answer(1) },
      ]);
      expect(end).toBeDefined();
      expect(await events.after(`${streamKey}#1`)).toEqual({
        streamKey,
        completed: true,
        events: [{ id: `${streamKey}#2`, message: answer(1) }],
      });
    });

    it('stores the events of later turns in later writes, in order', async () => {
      const write = jest.spyOn(events, 'write');
      const sut = resumableWith();
      sut.start();
      sut.write(progress(1));
      sut.write(progress(2));
      await nextTurn();
      await nextTurn();
      expect(write).toHaveBeenCalledTimes(1);

      sut.respond(answer(1));
      await nextTurn();

      expect(write).toHaveBeenCalledTimes(2);
      expect(write.mock.calls.map(([, stored]) => stored.map((event) => event.sequence))).toEqual([[0, 1], [2]]);
      expect(write.mock.calls.map(([, , end]) => end !== undefined)).toEqual([false, true]);
    });

    it('keeps a stream delivered whole to a connected client only briefly', async () => {
      const sut = resumableWith();
      sut.start();
      sut.write(progress(1));
      await nextTurn();
      sut.respond(answer(1));
      await nextTurn();
      const first = framesOf(res.body)[0]!.id!;

      now += 9_000;
      expect(await events.after(first)).toMatchObject({ completed: true });
      now += 2_000;
      expect(await events.after(first)).toBeUndefined();
    });

    it('keeps storing the events of a closed stream for a resuming client, ending it with the default TTL', async () => {
      const sut = resumableWith({ protocolVersion: '2025-11-25' });
      sut.start();
      sut.write(progress(1));
      await nextTurn(); // frames of the first turn leave together after it
      const [priming, written] = framesOf(res.body);
      expect(priming.data ?? '').toBe('');
      const first = written!.id!;

      sut.closeStream();
      expect(res.writableEnded).toBe(true);
      sut.respond(answer(1));
      await nextTurn();

      expect(res.writesAfterClose).toBe(0);
      expect(framesOf(res.body)).toHaveLength(2);
      now += 60_000;
      expect(await events.after(first)).toEqual({
        streamKey: first.replace(/#1$/, ''),
        completed: true,
        events: [{ id: first.replace(/#1$/, '#2'), message: answer(1) }],
      });
    });

    it('does not close a stream that was not primed (a client before 2025-11-25 could not resume it): the answer comes on it', async () => {
      const sut = resumableWith({ protocolVersion: '2025-06-18' });
      sut.start();
      sut.write(progress(1));

      sut.closeStream();
      expect(res.writableEnded).toBe(false);
      sut.respond(answer(1));
      await nextTurn();

      expect(framesOf(res.body).map((frame) => JSON.parse(frame.data!) as unknown)).toEqual([progress(1), answer(1)]);
      expect(res.writableEnded).toBe(true);
    });

    it('stores what is written after the client went away, so it can resume', async () => {
      const sut = resumableWith();
      sut.start();
      sut.write(progress(1));
      await nextTurn();
      const first = framesOf(res.body)[0]!.id!;

      res.destroy();
      sut.respond(answer(1));
      await nextTurn();

      expect(res.writesAfterClose).toBe(0);
      expect((await events.after(first))?.events.map((event) => event.message)).toEqual([answer(1)]);
    });

    it('reports a failed store write and goes on storing the next turns', async () => {
      const failure = new Error('store down');
      const write = jest.spyOn(events, 'write').mockRejectedValueOnce(failure);
      const sut = resumableWith();
      sut.start();
      sut.write(progress(1));
      await nextTurn();
      await nextTurn();

      sut.respond(answer(1));
      await nextTurn();
      await nextTurn();

      expect(onStoreError).toHaveBeenCalledTimes(1);
      expect(onStoreError).toHaveBeenCalledWith(failure);
      expect(write).toHaveBeenCalledTimes(2);
      const [streamKey] = write.mock.calls[1]!;
      expect((await events.after(`${streamKey}#0`))?.events.map((event) => event.message)).toEqual([answer(1)]);
    });
  });
});
