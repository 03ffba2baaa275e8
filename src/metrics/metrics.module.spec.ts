import 'reflect-metadata';
import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { register } from 'prom-client';
import { LifecycleModule, LifecycleService } from '../lifecycle';
import { MCP_OBSERVER, McpObserver } from '../mcp/interfaces/mcp-observer.interface';
import { McpRegistry } from '../mcp/discovery/mcp.registry';
import { MemorySessionStore, SessionStore } from '../session';
import { McpMetricsObserver } from './mcp-metrics.observer';
import { MetricsController } from './metrics.controller';
import { MetricName, METHOD_OTHER, TENANT_NONE, TENANT_OTHER, TOOL_UNKNOWN } from './metrics.constants';
import type { MetricsModuleOptions } from './metrics-module-options.interface';
import { MetricsModule } from './metrics.module';
import { PlatformMetrics } from './platform.metrics';

const SERVER_INFO = { version: '1.2.3', nodeId: 'node-a', sessionMode: 'stateless' };

/** A registry that knows one tool, `add`. */
const fakeRegistry = {
  getTool: (name: string) => (name === 'add' ? {} : undefined),
  get size() {
    return { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 };
  },
};

async function values(name: string) {
  const metric = register.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  return (await metric.get()).values as Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
}

/** The `_count` sample of a histogram. */
async function histogramCount(name: string) {
  return (await values(name)).find((v) => v.metricName === `${name}_count`);
}

/** Stands in for the global SessionModule and McpModule of the app. */
function platformStub(store: SessionStore) {
  @Global()
  @Module({
    providers: [
      { provide: McpRegistry, useValue: fakeRegistry },
      { provide: SessionStore, useValue: store },
    ],
    exports: [McpRegistry, SessionStore],
  })
  class PlatformStubModule {}
  return PlatformStubModule;
}

describe(MetricsModule.name, () => {
  let moduleRef: TestingModule | undefined;

  async function compile(options: Partial<MetricsModuleOptions> = {}, store = new MemorySessionStore(60)) {
    moduleRef = await Test.createTestingModule({
      imports: [LifecycleModule, platformStub(store), MetricsModule.forRoot({ serverInfo: SERVER_INFO, defaultMetrics: false, ...options })],
    }).compile();
    await moduleRef.init();
    return moduleRef;
  }

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  describe('forRoot', () => {
    it('provides the Prometheus observer under MCP_OBSERVER', async () => {
      const sut = await compile();
      expect(sut.get(MCP_OBSERVER)).toBeInstanceOf(McpMetricsObserver);
    });

    it('registers the /metrics controller when enabled', async () => {
      const sut = await compile();
      expect(sut.get(MetricsController)).toBeInstanceOf(MetricsController);
    });

    it('keeps the metrics but serves no route when disabled', async () => {
      const sut = await compile({ enabled: false });
      expect(() => sut.get(MetricsController)).toThrow();
      expect(sut.get(MCP_OBSERVER)).toBeInstanceOf(McpMetricsObserver);
      expect(register.getSingleMetric(MetricName.REQUESTS_TOTAL)).toBeDefined();
    });

    it('publishes mcp_server_info with version, node id and session mode', async () => {
      await compile();
      expect(await values(MetricName.SERVER_INFO)).toEqual([{ labels: { version: '1.2.3', node_id: 'node-a', session_mode: 'stateless' }, value: 1 }]);
    });

    it('takes its metrics out of the registry when the app shuts down', async () => {
      const sut = await compile();
      await sut.close();
      moduleRef = undefined;
      expect(register.getSingleMetric(MetricName.REQUESTS_TOTAL)).toBeUndefined();
    });
  });

  describe('the observer', () => {
    let sut: McpObserver;

    beforeEach(async () => {
      sut = (await compile({ tenantLabelLimit: 1 })).get(MCP_OBSERVER);
    });

    it('counts a finished tools/call by method, tool, status and tenant', async () => {
      sut.requestStarted('tools/call');
      sut.requestFinished({ method: 'tools/call', tool: 'add', tenantId: 'acme', status: 'ok', outcome: 'ok', durationSeconds: 0.01 });
      expect(await values(MetricName.REQUESTS_TOTAL)).toEqual([{ labels: { method: 'tools/call', tool: 'add', status: 'ok', tenant: 'acme' }, value: 1 }]);
    });

    it('observes the duration without the tenant label', async () => {
      sut.requestFinished({ method: 'tools/call', tool: 'add', tenantId: 'acme', status: 'ok', outcome: 'ok', durationSeconds: 0.01 });
      expect(await histogramCount(MetricName.REQUEST_DURATION_SECONDS)).toMatchObject({
        labels: { method: 'tools/call', tool: 'add', status: 'ok' },
        value: 1,
      });
    });

    it('returns the active-requests gauge to zero when the request finishes', async () => {
      sut.requestStarted('tools/list');
      expect(await values(MetricName.ACTIVE_REQUESTS)).toEqual([{ labels: { method: 'tools/list' }, value: 1 }]);
      sut.requestFinished({ method: 'tools/list', status: 'ok', outcome: 'ok', durationSeconds: 0.001 });
      expect(await values(MetricName.ACTIVE_REQUESTS)).toEqual([{ labels: { method: 'tools/list' }, value: 0 }]);
    });

    it('labels a tool that is not registered as _unknown', async () => {
      sut.requestFinished({ method: 'tools/call', tool: 'made-up-by-client', status: 'error', outcome: 'error', durationSeconds: 0 });
      expect((await values(MetricName.REQUESTS_TOTAL))[0].labels.tool).toBe(TOOL_UNKNOWN);
    });

    it('labels a method outside the MCP specification as _other', async () => {
      sut.requestFinished({ method: 'x/anything', status: 'error', outcome: 'error', durationSeconds: 0 });
      expect((await values(MetricName.REQUESTS_TOTAL))[0].labels.method).toBe(METHOD_OTHER);
    });

    it('bounds the tenant label', async () => {
      sut.requestFinished({ method: 'ping', tenantId: 'acme', status: 'ok', outcome: 'ok', durationSeconds: 0 });
      sut.requestFinished({ method: 'ping', tenantId: 'globex', status: 'ok', outcome: 'ok', durationSeconds: 0 });
      sut.requestFinished({ method: 'ping', status: 'ok', outcome: 'ok', durationSeconds: 0 });
      const tenants = (await values(MetricName.REQUESTS_TOTAL)).map((v) => v.labels.tenant).sort();
      expect(tenants).toEqual([TENANT_NONE, TENANT_OTHER, 'acme'].sort());
    });

    it('observes mcp_server_operation_duration_seconds by method, tool, tenant and outcome, bounded', async () => {
      sut.requestFinished({ method: 'tools/call', tool: 'made-up', tenantId: 'acme', status: 'error', outcome: 'denied', durationSeconds: 0.2 });
      sut.requestFinished({ method: 'tools/call', tool: 'made-up', tenantId: 'globex', status: 'error', outcome: 'rate_limited', durationSeconds: 0.2 });
      const counts = (await values(MetricName.SERVER_OPERATION_DURATION_SECONDS)).filter((v) => v.metricName?.endsWith('_count'));
      expect(counts.map((v) => v.labels)).toEqual([
        { mcp_method_name: 'tools/call', gen_ai_tool_name: TOOL_UNKNOWN, tenant: 'acme', outcome: 'denied' },
        { mcp_method_name: 'tools/call', gen_ai_tool_name: TOOL_UNKNOWN, tenant: TENANT_OTHER, outcome: 'rate_limited' },
      ]);
    });

    it('observes the duration of ended sessions by tenant and protocol version', async () => {
      sut.sessionClosed({ tenantId: 'acme', protocolVersion: '2025-11-25', durationSeconds: 42 });
      sut.sessionClosed({ protocolVersion: 'made-up', durationSeconds: 1 });
      const counts = (await values(MetricName.SERVER_SESSION_DURATION_SECONDS)).filter((v) => v.metricName?.endsWith('_count'));
      expect(counts.map((v) => v.labels)).toEqual([
        { tenant: 'acme', mcp_protocol_version: '2025-11-25' },
        { tenant: TENANT_NONE, mcp_protocol_version: METHOD_OTHER },
      ]);
    });

    it('records sizes and status codes of HTTP exchanges', async () => {
      sut.exchangeFinished({ httpMethod: 'post', status: 200, requestBytes: 100, responseBytes: 2000 });
      expect(await values(MetricName.HTTP_RESPONSES_TOTAL)).toEqual([{ labels: { http_method: 'POST', code: '200' }, value: 1 }]);
      const sum = (await values(MetricName.RESPONSE_SIZE_BYTES)).find((v) => v.metricName === `${MetricName.RESPONSE_SIZE_BYTES}_sum`);
      expect(sum?.value).toBe(2000);
    });

    it('counts streamed notifications by kind', async () => {
      sut.notificationSent('progress');
      sut.notificationSent('progress');
      expect(await values(MetricName.STREAMING_CHUNKS_TOTAL)).toEqual([{ labels: { kind: 'progress' }, value: 2 }]);
    });

    it('counts opened and closed sessions', async () => {
      sut.sessionOpened();
      sut.sessionClosed();
      expect(await values(MetricName.SESSIONS_OPENED_TOTAL)).toEqual([{ labels: {}, value: 1 }]);
      expect(await values(MetricName.SESSIONS_CLOSED_TOTAL)).toEqual([{ labels: {}, value: 1 }]);
    });
  });

  describe('gauges read at scrape time', () => {
    it('reports the registered tools', async () => {
      await compile();
      expect(await values(MetricName.TOOLS_REGISTERED)).toEqual([{ labels: {}, value: 1 }]);
    });

    it('reports the live sessions of the store', async () => {
      const store = new MemorySessionStore(60);
      await compile({}, store);
      await store.create({ id: 's1', protocolVersion: '2025-06-18', clientCapabilities: {}, createdAt: Date.now(), createdBy: 'node-a' });
      expect(await values(MetricName.SESSIONS_ACTIVE)).toEqual([{ labels: {}, value: 1 }]);
    });

    it('keeps the scrape working and counts an error when the store fails', async () => {
      const store = new MemorySessionStore(60);
      jest.spyOn(store, 'count').mockRejectedValue(new Error('store down'));
      await compile({}, store);
      expect(await values(MetricName.SESSIONS_ACTIVE)).toEqual([{ labels: {}, value: 0 }]);
      expect(await values(MetricName.SESSION_STORE_ERRORS_TOTAL)).toEqual([{ labels: { operation: 'count' }, value: 1 }]);
    });

    it('reports draining once the lifecycle drains', async () => {
      const sut = await compile();
      await sut.get(LifecycleService).beginDrain();
      expect(await values(MetricName.DRAINING)).toEqual([{ labels: {}, value: 1 }]);
    });
  });

  describe(PlatformMetrics.name, () => {
    it('counts auth failures by reason and bounded tenant', async () => {
      const sut = (await compile({ tenantLabelLimit: 0 })).get(PlatformMetrics);
      sut.authFailure('invalid', 'acme');
      expect(await values(MetricName.AUTH_FAILURES_TOTAL)).toEqual([{ labels: { reason: 'invalid', tenant: TENANT_OTHER }, value: 1 }]);
    });

    it('counts rate-limited requests by tenant', async () => {
      const sut = (await compile()).get(PlatformMetrics);
      sut.rateLimited('acme');
      expect(await values(MetricName.RATE_LIMITED_TOTAL)).toEqual([{ labels: { tenant: 'acme' }, value: 1 }]);
    });

    it('times a store operation and passes its result through', async () => {
      const sut = (await compile()).get(PlatformMetrics);
      await expect(sut.storeOperation('get', async () => 'value')).resolves.toBe('value');
      expect(await histogramCount(MetricName.SESSION_STORE_OPERATION_DURATION_SECONDS)).toMatchObject({ labels: { operation: 'get' }, value: 1 });
    });

    it('counts a failed store operation and rethrows', async () => {
      const sut = (await compile()).get(PlatformMetrics);
      await expect(sut.storeOperation('set', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
      expect(await values(MetricName.SESSION_STORE_ERRORS_TOTAL)).toEqual([{ labels: { operation: 'set' }, value: 1 }]);
    });
  });
});
