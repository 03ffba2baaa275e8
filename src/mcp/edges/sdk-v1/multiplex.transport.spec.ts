import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { EmptyResultSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { MemoryMessageBus, McpSession } from '../../../session';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpPorts } from '../../mcp.ports';
import type { HttpExchange } from '../streamable-http/http-exchange';
import { McpRequestRouter } from '../streamable-http/mcp-request.router';
import { InFlight, MultiplexTransport } from './multiplex.transport';

type Message = Record<string, unknown>;

/** The one place a router is built. */
function routerFor(nodeId: string): McpRequestRouter {
  return new McpRequestRouter({ nodeId } as McpModuleOptions, { bus: new MemoryMessageBus() } as unknown as McpPorts);
}

/** The sink of one HTTP exchange: records what the transport hands it. */
function exchangeFake(resumable = false) {
  return { resumable, respond: jest.fn(), write: jest.fn(), abandon: jest.fn(), closeStream: jest.fn() } satisfies Partial<HttpExchange>;
}
type ExchangeFake = ReturnType<typeof exchangeFake>;

function flightFor(exchange: ExchangeFake, clientId: string | number, sessionId?: string, requestId = `req-${String(clientId)}`): InFlight {
  return {
    exchange: exchange as unknown as HttpExchange,
    clientId,
    context: { requestId, headers: {}, nodeId: 'node-a', receivedAt: 0 },
    holder: { session: sessionId === undefined ? undefined : ({ id: sessionId } as McpSession) },
  };
}

const request = (id: string | number, method = 'tools/list'): Message => ({ jsonrpc: '2.0', id, method, params: {} });
const result = (id: string | number, value: Message = {}) => ({ jsonrpc: '2.0', id, result: value }) as JSONRPCMessage;
const progress = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } } as JSONRPCMessage;

/** Waits for something the SDK server does a few promise turns later. */
async function until(check: () => boolean): Promise<void> {
  for (let turn = 0; !check(); turn += 1) {
    if (turn > 1000) throw new Error('condition not met');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe(MultiplexTransport.name, () => {
  let router: McpRequestRouter;
  let received: Array<{ message: Message; extra: unknown }>;
  let sut: MultiplexTransport;

  beforeEach(() => {
    router = routerFor('node-a');
    sut = new MultiplexTransport(router);
    received = [];
    sut.onmessage = (message, extra) => received.push({ message: message as unknown as Message, extra });
  });

  /** Dispatches a request and returns the internal id the server saw, and its cancel. */
  function dispatch(flight: InFlight, message = request(flight.clientId), headers: Record<string, string> = {}) {
    const cancel = sut.dispatch(message, flight, headers);
    return { internalId: received[received.length - 1]!.message.id as number, cancel };
  }

  describe('client → server', () => {
    it('hands each request to the server under its own internal id, so equal client ids never clash', () => {
      dispatch(flightFor(exchangeFake(), 1));
      dispatch(flightFor(exchangeFake(), 1));

      const ids = received.map(({ message }) => message.id);
      expect(new Set(ids).size).toBe(2);
      expect(received.map(({ message }) => message.method)).toEqual(['tools/list', 'tools/list']);
    });

    it('passes the HTTP request headers to the server', () => {
      dispatch(flightFor(exchangeFake(), 1), request(1), { 'x-request-id': 'abc' });

      expect(received[0]!.extra).toMatchObject({ requestInfo: { headers: { 'x-request-id': 'abc' } } });
    });

    it('offers the server a way to close the stream of a resumable exchange only', () => {
      const resumable = exchangeFake(true);
      dispatch(flightFor(exchangeFake(false), 1));
      dispatch(flightFor(resumable, 2));

      expect(received[0]!.extra).not.toHaveProperty('closeSSEStream');
      (received[1]!.extra as { closeSSEStream: () => void }).closeSSEStream();
      expect(resumable.closeStream).toHaveBeenCalledTimes(1);
    });

    it('finds the request a handler serves by its internal id, given as a number or a string', () => {
      const flight = flightFor(exchangeFake(), 'a');
      const { internalId } = dispatch(flight);

      expect(sut.lookup(internalId)).toBe(flight);
      expect(sut.lookup(String(internalId))).toBe(flight);
    });

    it('passes client notifications to the server unchanged', () => {
      const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };

      sut.notify(initialized);

      expect(received).toEqual([{ message: initialized, extra: undefined }]);
    });
  });

  describe('server → client', () => {
    it('delivers a response to the exchange of its request, under the client’s id', async () => {
      const first = exchangeFake();
      const second = exchangeFake();
      dispatch(flightFor(first, 1));
      const { internalId } = dispatch(flightFor(second, 1));

      await sut.send(result(internalId, { tools: [] }));

      expect(second.respond).toHaveBeenCalledWith({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
      expect(first.respond).not.toHaveBeenCalled();
    });

    it('delivers an error response like a result', async () => {
      const exchange = exchangeFake();
      const { internalId } = dispatch(flightFor(exchange, 'x'));
      const error = { jsonrpc: '2.0', id: internalId, error: { code: -32602, message: 'Invalid params' } } as JSONRPCMessage;

      await sut.send(error);

      expect(exchange.respond).toHaveBeenCalledWith({ jsonrpc: '2.0', id: 'x', error: { code: -32602, message: 'Invalid params' } });
    });

    it('forgets a request once it is answered', async () => {
      const exchange = exchangeFake();
      const { internalId } = dispatch(flightFor(exchange, 1));

      await sut.send(result(internalId));
      await sut.send(result(internalId));

      expect(sut.lookup(internalId)).toBeUndefined();
      expect(exchange.respond).toHaveBeenCalledTimes(1);
    });

    it('drops a response to an id it never handed out', async () => {
      const exchange = exchangeFake();
      dispatch(flightFor(exchange, 1));

      await sut.send(result(999));

      expect(exchange.respond).not.toHaveBeenCalled();
    });

    it('writes a notification to the exchange of the request it relates to', async () => {
      const first = exchangeFake();
      const second = exchangeFake();
      dispatch(flightFor(first, 1));
      const { internalId } = dispatch(flightFor(second, 1));

      await sut.send(progress, { relatedRequestId: internalId });

      expect(second.write).toHaveBeenCalledWith(progress);
      expect(first.write).not.toHaveBeenCalled();
    });

    it('drops a notification related to no request in flight', async () => {
      const exchange = exchangeFake();
      const { internalId } = dispatch(flightFor(exchange, 1));

      await sut.send(progress);
      await sut.send(progress, { relatedRequestId: internalId + 100 });

      expect(exchange.write).not.toHaveBeenCalled();
    });

    it('sends a server→client request under a routable id and hands the answer back under the server’s id', async () => {
      const exchange = exchangeFake();
      const { internalId } = dispatch(flightFor(exchange, 1, 'sess-1'));

      await sut.send({ jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: {} } as JSONRPCMessage, { relatedRequestId: internalId });
      const routedId = (exchange.write.mock.calls[0]![0] as Message).id as string;

      expect(routedId).toBe('node-a.1');
      expect(exchange.write).toHaveBeenCalledWith({ jsonrpc: '2.0', id: routedId, method: 'elicitation/create', params: {} });
      expect(await router.deliverResponse('sess-1', { jsonrpc: '2.0', id: routedId, result: { action: 'accept' } })).toBe(true);
      expect(received[received.length - 1]!.message).toEqual({ jsonrpc: '2.0', id: 0, result: { action: 'accept' } });
    });

    it('does not take the answer to a server→client request from another session', async () => {
      const exchange = exchangeFake();
      const { internalId } = dispatch(flightFor(exchange, 1, 'sess-1'));
      await sut.send({ jsonrpc: '2.0', id: 0, method: 'ping' } as JSONRPCMessage, { relatedRequestId: internalId });
      const routedId = (exchange.write.mock.calls[0]![0] as Message).id;
      const before = received.length;

      expect(await router.deliverResponse('sess-2', { jsonrpc: '2.0', id: routedId, result: {} })).toBe(false);

      expect(received).toHaveLength(before);
    });

    it('stops waiting for answers to a request’s server→client requests once the request is answered', async () => {
      const exchange = exchangeFake();
      const { internalId } = dispatch(flightFor(exchange, 1, 'sess-1'));
      await sut.send({ jsonrpc: '2.0', id: 0, method: 'ping' } as JSONRPCMessage, { relatedRequestId: internalId });
      const routedId = (exchange.write.mock.calls[0]![0] as Message).id;

      await sut.send(result(internalId));

      expect(await router.deliverResponse('sess-1', { jsonrpc: '2.0', id: routedId, result: {} })).toBe(false);
    });
  });

  describe('cancellation', () => {
    it('abandons the request at its exchange and tells the server it was cancelled', () => {
      const exchange = exchangeFake();
      const { internalId, cancel } = dispatch(flightFor(exchange, 'c1'));

      cancel();

      expect(exchange.abandon).toHaveBeenCalledWith('c1');
      expect(received[received.length - 1]!.message).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: internalId, reason: 'cancelled by the client' },
      });
    });

    it('cancels once, however often it is asked', () => {
      const exchange = exchangeFake();
      const { cancel } = dispatch(flightFor(exchange, 1));

      cancel();
      cancel();

      expect(exchange.abandon).toHaveBeenCalledTimes(1);
      expect(received.filter(({ message }) => message.method === 'notifications/cancelled')).toHaveLength(1);
    });

    it('does nothing for a request already answered', async () => {
      const exchange = exchangeFake();
      const { internalId, cancel } = dispatch(flightFor(exchange, 1));
      await sut.send(result(internalId));

      cancel();

      expect(exchange.abandon).not.toHaveBeenCalled();
      expect(received.filter(({ message }) => message.method === 'notifications/cancelled')).toHaveLength(0);
    });

    it('drops the server’s late response to a cancelled request', async () => {
      const exchange = exchangeFake();
      const { internalId, cancel } = dispatch(flightFor(exchange, 1));
      cancel();

      await sut.send(result(internalId));

      expect(exchange.respond).not.toHaveBeenCalled();
    });

    it('stops waiting for answers to the cancelled request’s server→client requests', async () => {
      const exchange = exchangeFake();
      const { internalId, cancel } = dispatch(flightFor(exchange, 1, 'sess-1'));
      await sut.send({ jsonrpc: '2.0', id: 0, method: 'ping' } as JSONRPCMessage, { relatedRequestId: internalId });
      const routedId = (exchange.write.mock.calls[0]![0] as Message).id;

      cancel();

      expect(await router.deliverResponse('sess-1', { jsonrpc: '2.0', id: routedId, result: {} })).toBe(false);
    });
  });

  it('forgets every request in flight when closed, and reports the close', async () => {
    const onclose = jest.fn();
    sut.onclose = onclose;
    const exchange = exchangeFake();
    const { internalId } = dispatch(flightFor(exchange, 1));

    await sut.close();
    await sut.send(result(internalId));

    expect(onclose).toHaveBeenCalledTimes(1);
    expect(sut.lookup(internalId)).toBeUndefined();
    expect(exchange.respond).not.toHaveBeenCalled();
  });

  describe('behind a real SDK server', () => {
    let server: Server;

    beforeEach(async () => {
      sut.onmessage = undefined;
      server = new Server({ name: 'test', version: '0.0.0' }, { capabilities: { tools: {} } });
    });

    afterEach(async () => {
      await server.close();
    });

    it('answers requests with equal client ids from different exchanges, each at its own exchange, in the order they finish', async () => {
      const gates = new Map<string, () => void>();
      server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
        const caller = sut.lookup(extra.requestId)!.context.requestId;
        await new Promise<void>((resolve) => gates.set(caller, resolve));
        return { tools: [{ name: caller, inputSchema: { type: 'object' } }] };
      });
      await server.connect(sut);
      const first = exchangeFake();
      const second = exchangeFake();
      sut.dispatch(request(1), flightFor(first, 1, undefined, 'first'), {});
      sut.dispatch(request(1), flightFor(second, 1, undefined, 'second'), {});
      await until(() => gates.size === 2);

      gates.get('second')!();
      await until(() => second.respond.mock.calls.length === 1);
      expect(first.respond).not.toHaveBeenCalled();
      gates.get('first')!();
      await until(() => first.respond.mock.calls.length === 1);

      expect(first.respond).toHaveBeenCalledWith(
        expect.objectContaining({ id: 1, result: expect.objectContaining({ tools: [expect.objectContaining({ name: 'first' })] }) }),
      );
      expect(second.respond).toHaveBeenCalledWith(
        expect.objectContaining({ id: 1, result: expect.objectContaining({ tools: [expect.objectContaining({ name: 'second' })] }) }),
      );
    });

    it('carries a handler’s notification to its own exchange and its answer after it', async () => {
      server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: 't', progress: 1 } });
        return { tools: [] };
      });
      await server.connect(sut);
      const exchange = exchangeFake();
      const bystander = exchangeFake();
      sut.dispatch(request(5), flightFor(bystander, 5), {});
      sut.dispatch(request(5), flightFor(exchange, 5), {});

      await until(() => exchange.respond.mock.calls.length === 1 && bystander.respond.mock.calls.length === 1);

      expect(exchange.write).toHaveBeenCalledWith(expect.objectContaining({ method: 'notifications/progress' }));
      expect(exchange.write).toHaveBeenCalledTimes(1);
      expect(exchange.write.mock.invocationCallOrder[0]).toBeLessThan(exchange.respond.mock.invocationCallOrder[0]!);
    });

    it('round-trips a handler’s server→client request through the router', async () => {
      server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
        await extra.sendRequest({ method: 'ping' }, EmptyResultSchema);
        return { tools: [] };
      });
      await server.connect(sut);
      const exchange = exchangeFake();
      sut.dispatch(request('r'), flightFor(exchange, 'r', 'sess-1'), {});
      await until(() => exchange.write.mock.calls.length === 1);
      const ping = exchange.write.mock.calls[0]![0] as Message;
      expect(ping).toMatchObject({ method: 'ping', id: 'node-a.1' });

      expect(await router.deliverResponse('sess-1', { jsonrpc: '2.0', id: ping.id, result: {} })).toBe(true);
      await until(() => exchange.respond.mock.calls.length === 1);

      expect(exchange.respond).toHaveBeenCalledWith({ jsonrpc: '2.0', id: 'r', result: { tools: [] } });
    });

    it('tells the client of a server→client request the handler gave up on, by the id the client knows', async () => {
      server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
        const controller = new AbortController();
        const asked = extra.sendRequest({ method: 'ping' }, EmptyResultSchema, { signal: controller.signal });
        controller.abort('gave up');
        await asked.catch(() => undefined);
        return { tools: [] };
      });
      await server.connect(sut);
      const exchange = exchangeFake();
      sut.dispatch(request('r'), flightFor(exchange, 'r', 'sess-1'), {});

      await until(() => exchange.respond.mock.calls.length === 1);

      const written = exchange.write.mock.calls.map(([message]) => message as Message);
      expect(written[0]).toMatchObject({ method: 'ping', id: 'node-a.1' });
      expect(written[1]).toMatchObject({ method: 'notifications/cancelled', params: { requestId: 'node-a.1' } });
      // No answer is awaited any more: a late one is not delivered.
      expect(await router.deliverResponse('sess-1', { jsonrpc: '2.0', id: 'node-a.1', result: {} })).toBe(false);
    });

    it('aborts the handler of a cancelled request and sends no answer', async () => {
      let signal: AbortSignal | undefined;
      server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
        signal = extra.signal;
        await new Promise((resolve) => extra.signal.addEventListener('abort', resolve));
        return { tools: [] };
      });
      await server.connect(sut);
      const exchange = exchangeFake();
      const cancel = sut.dispatch(request(1), flightFor(exchange, 1), {});
      await until(() => signal !== undefined);

      cancel();
      await until(() => signal!.aborted);
      await new Promise((resolve) => setImmediate(resolve));

      expect(exchange.abandon).toHaveBeenCalledWith(1);
      expect(exchange.respond).not.toHaveBeenCalled();
    });
  });
});
