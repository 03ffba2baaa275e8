import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpAdapterHost } from '@nestjs/core';
import { LifecycleService } from './lifecycle.service';
import { GracefulShutdown } from './graceful-shutdown.service';

/** A response that closes when ended, like Node's. */
class FakeResponse extends EventEmitter {
  ended = false;
  end(): void {
    this.ended = true;
    this.emit('close');
  }
}

describe(GracefulShutdown.name, () => {
  let server: EventEmitter;
  let lifecycle: LifecycleService;
  let sut: GracefulShutdown;

  function request(method: string, url: string, accept = 'application/json'): FakeResponse {
    const res = new FakeResponse();
    const req = { method, url, headers: { accept } } as unknown as IncomingMessage;
    server.emit('request', req, res as unknown as ServerResponse);
    return res;
  }

  beforeEach(() => {
    server = new EventEmitter();
    lifecycle = new LifecycleService();
    const adapterHost = { httpAdapter: { getHttpServer: () => server } } as unknown as HttpAdapterHost;
    sut = new GracefulShutdown(adapterHost, lifecycle);
    sut.onApplicationBootstrap();
  });

  it('turns the lifecycle to draining', async () => {
    await sut.drain(1000);
    expect(lifecycle.draining).toBe(true);
  });

  it('resolves true at once when nothing is in flight', async () => {
    await expect(sut.drain(1000)).resolves.toBe(true);
  });

  it('waits for an in-flight request to finish', async () => {
    const res = request('POST', '/mcp');
    expect(sut.inFlight).toBe(1);
    const drained = sut.drain(10_000);
    setImmediate(() => res.end());
    await expect(drained).resolves.toBe(true);
  });

  it('does not wait for probes and scrapes', async () => {
    request('GET', '/health/ready');
    request('GET', '/health');
    request('GET', '/metrics');
    expect(sut.inFlight).toBe(0);
    await expect(sut.drain(1000)).resolves.toBe(true);
  });

  it('ends event streams still open instead of waiting for them', async () => {
    const stream = request('GET', '/mcp', 'text/event-stream');
    expect(sut.openStreams).toBe(1);
    expect(sut.inFlight).toBe(0);
    await expect(sut.drain(1000)).resolves.toBe(true);
    expect(stream.ended).toBe(true);
  });

  it('resolves false when a request outlives the timeout', async () => {
    request('POST', '/mcp');
    await expect(sut.drain(20)).resolves.toBe(false);
  });

  it('runs the drain listeners before waiting', async () => {
    const listener = jest.fn();
    lifecycle.onDrain(listener);
    await sut.drain(1000);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
