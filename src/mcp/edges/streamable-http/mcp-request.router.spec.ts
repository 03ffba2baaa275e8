import { Logger } from '@nestjs/common';
import { BUS_CHANNELS, MemoryMessageBus, MessageBus } from '../../../session';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpPorts } from '../../mcp.ports';
import { McpRequestRouter } from './mcp-request.router';

/** The one place a router is built: a replica named `nodeId` on `bus`. */
function routerOn(bus: MessageBus, nodeId: string): McpRequestRouter {
  return new McpRequestRouter({ nodeId } as McpModuleOptions, { bus } as unknown as McpPorts);
}

/** Lets the memory bus deliver (it hands messages over in microtasks, like Redis after the publish). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const answer = (id: string | number) => ({ jsonrpc: '2.0', id, result: { action: 'accept' } });
const cancellation = (requestId: string | number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } });

describe(McpRequestRouter.name, () => {
  let bus: MemoryMessageBus;
  let publish: jest.SpyInstance;
  let sut: McpRequestRouter;
  const started: McpRequestRouter[] = [];

  /** A replica subscribed to the bus, as after module init. */
  async function replica(nodeId: string): Promise<McpRequestRouter> {
    const router = routerOn(bus, nodeId);
    await router.onModuleInit();
    started.push(router);
    return router;
  }

  beforeEach(async () => {
    bus = new MemoryMessageBus();
    publish = jest.spyOn(bus, 'publish');
    sut = await replica('node-a');
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((router) => router.onApplicationShutdown()));
  });

  describe('server→client requests', () => {
    it('numbers outbound ids <nodeId>.<n>, one after the other', () => {
      const ids = [sut.registerOutbound('s1', jest.fn()), sut.registerOutbound('s1', jest.fn()), sut.registerOutbound('s2', jest.fn())];

      expect(ids).toEqual(['node-a.1', 'node-a.2', 'node-a.3']);
    });

    it('delivers a response to the request waiting for it on this replica, without the bus', async () => {
      const deliver = jest.fn();
      const id = sut.registerOutbound('s1', deliver);

      expect(await sut.deliverResponse('s1', answer(id))).toBe(true);

      expect(deliver).toHaveBeenCalledWith(answer(id));
      expect(publish).not.toHaveBeenCalled();
    });

    it('delivers a response only once', async () => {
      const deliver = jest.fn();
      const id = sut.registerOutbound('s1', deliver);
      await sut.deliverResponse('s1', answer(id));

      expect(await sut.deliverResponse('s1', answer(id))).toBe(false);

      expect(deliver).toHaveBeenCalledTimes(1);
    });

    it('does not forward a response whose id names no replica', async () => {
      expect(await sut.deliverResponse('s1', answer(42))).toBe(false);

      expect(publish).not.toHaveBeenCalled();
    });

    it('does not deliver a response sent in another session', async () => {
      const deliver = jest.fn();
      const id = sut.registerOutbound('s1', deliver);

      expect(await sut.deliverResponse('s2', answer(id))).toBe(false);

      expect(deliver).not.toHaveBeenCalled();
      expect(publish).not.toHaveBeenCalled();
    });

    it('keeps waiting for the right session’s response after refusing another session’s', async () => {
      const deliver = jest.fn();
      const id = sut.registerOutbound('s1', deliver);
      await sut.deliverResponse('s2', answer(id));

      expect(await sut.deliverResponse('s1', answer(id))).toBe(true);

      expect(deliver).toHaveBeenCalledTimes(1);
    });

    it('does not deliver a response once its request was released', async () => {
      const deliver = jest.fn();
      const id = sut.registerOutbound('s1', deliver);
      sut.releaseOutbound(id);

      expect(await sut.deliverResponse('s1', answer(id))).toBe(false);

      expect(deliver).not.toHaveBeenCalled();
    });

    it('forwards a response for another replica over the bus to the replica named in its id', async () => {
      expect(await sut.deliverResponse('s1', answer('node-b.7'))).toBe(false);

      expect(publish).toHaveBeenCalledWith(BUS_CHANNELS.node('node-b'), { type: 'response', sessionId: 's1', message: answer('node-b.7') });
    });

    it('reads the replica of an id up to its last dot, so node ids may hold dots', async () => {
      await sut.deliverResponse('s1', answer('pod.eu-1.42'));

      expect(publish).toHaveBeenCalledWith(BUS_CHANNELS.node('pod.eu-1'), expect.objectContaining({ type: 'response' }));
    });

    it('says a forwarded response was received when the named replica listens', async () => {
      const other = await replica('node-b');
      const deliver = jest.fn();
      const id = other.registerOutbound('s1', deliver);

      expect(await sut.deliverResponse('s1', answer(id))).toBe(true);
      await nextTurn();

      expect(deliver).toHaveBeenCalledWith(answer(id));
    });

    it('does not deliver a forwarded response at the other replica when it was sent in another session', async () => {
      const other = await replica('node-b');
      const deliver = jest.fn();
      const id = other.registerOutbound('s1', deliver);

      await sut.deliverResponse('s2', answer(id));
      await nextTurn();

      expect(deliver).not.toHaveBeenCalled();
      expect(await other.deliverResponse('s1', answer(id))).toBe(true);
    });

    it('does not forward a response to an unknown id of its own replica', async () => {
      expect(await sut.deliverResponse('s1', answer('node-a.99'))).toBe(false);

      expect(publish).not.toHaveBeenCalled();
    });

    it('stops receiving forwarded responses after shutdown', async () => {
      const other = await replica('node-b');
      const deliver = jest.fn();
      const id = other.registerOutbound('s1', deliver);
      await other.onApplicationShutdown();

      expect(await sut.deliverResponse('s1', answer(id))).toBe(false);
      await nextTurn();

      expect(deliver).not.toHaveBeenCalled();
    });
  });

  describe('cancellations', () => {
    it('delivers a cancellation to the registered request of the same session, without the bus', async () => {
      const deliver = jest.fn();
      sut.registerInbound('s1', 7, deliver);

      await sut.deliverCancel('s1', cancellation(7));

      expect(deliver).toHaveBeenCalledWith(cancellation(7));
      expect(publish).not.toHaveBeenCalled();
    });

    it('does not deliver a cancellation sent in another session', async () => {
      const deliver = jest.fn();
      sut.registerInbound('s1', 7, deliver);

      await sut.deliverCancel('s2', cancellation(7));
      await nextTurn();

      expect(deliver).not.toHaveBeenCalled();
    });

    it('tells a numeric request id from the same digits as a string', async () => {
      const deliver = jest.fn();
      sut.registerInbound('s1', 7, deliver);

      await sut.deliverCancel('s1', cancellation('7'));
      await nextTurn();

      expect(deliver).not.toHaveBeenCalled();
    });

    it('asks every replica when the request does not run here', async () => {
      await sut.deliverCancel('s1', cancellation(7));

      expect(publish).toHaveBeenCalledWith(BUS_CHANNELS.all, { type: 'cancel', sessionId: 's1', message: cancellation(7) });
    });

    it('reaches the request on the replica that runs it', async () => {
      const other = await replica('node-b');
      const deliver = jest.fn();
      other.registerInbound('s1', 'call-1', deliver);

      await sut.deliverCancel('s1', cancellation('call-1'));
      await nextTurn();

      expect(deliver).toHaveBeenCalledWith(cancellation('call-1'));
    });

    it('does not deliver a cancellation once the request was unregistered', async () => {
      const deliver = jest.fn();
      const unregister = sut.registerInbound('s1', 7, deliver);
      unregister();

      await sut.deliverCancel('s1', cancellation(7));
      await nextTurn();

      expect(deliver).not.toHaveBeenCalled();
    });

    it('keeps a newer registration of the same id when an older one is unregistered', async () => {
      const older = jest.fn();
      const newer = jest.fn();
      const unregisterOlder = sut.registerInbound('s1', 7, older);
      sut.registerInbound('s1', 7, newer);
      unregisterOlder();

      await sut.deliverCancel('s1', cancellation(7));

      expect(newer).toHaveBeenCalledTimes(1);
      expect(older).not.toHaveBeenCalled();
    });

    it('ignores a cancellation that names no request', async () => {
      const deliver = jest.fn();
      sut.registerInbound('s1', 7, deliver);

      await sut.deliverCancel('s1', { jsonrpc: '2.0', method: 'notifications/cancelled', params: {} });
      await nextTurn();

      expect(deliver).not.toHaveBeenCalled();
    });

    it('logs, rather than fails, a cancellation the bus cannot forward', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      publish.mockRejectedValueOnce(new Error('bus down'));

      await expect(sut.deliverCancel('s1', cancellation(7))).resolves.toBeUndefined();

      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'cancellation not forwarded', sessionId: 's1', error: 'bus down' }));
      warn.mockRestore();
    });
  });
});
