import 'reflect-metadata';
import { ConfigValidationError } from './config.exception';
import { loadConfig } from './config.loader';

/** The `metrics.*` and `shutdown.*` keys (MetricsModule, HealthModule, main.ts). */
describe('operations config (metrics, shutdown)', () => {
  function problemsOf(env: NodeJS.ProcessEnv): string {
    try {
      loadConfig({ env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      return (error as Error).message;
    }
    throw new Error('expected loadConfig to throw');
  }

  it('serves metrics without a key, with process metrics and 100 tenant labels by default', () => {
    const sut = loadConfig({ env: {} });
    expect(sut.metrics).toEqual({ enabled: true, defaultMetrics: true, tenantLabelLimit: 100 });
  });

  it('gives the drain 20 seconds by default', () => {
    expect(loadConfig({ env: {} }).shutdown.graceSeconds).toBe(20);
  });

  it('reads MCP_METRICS_ENABLED as a boolean', () => {
    expect(loadConfig({ env: { MCP_METRICS_ENABLED: 'false' } }).metrics.enabled).toBe(false);
    expect(loadConfig({ env: { MCP_METRICS_ENABLED: 'TRUE' } }).metrics.enabled).toBe(true);
  });

  it('names the variable of a MCP_METRICS_ENABLED that is not a boolean', () => {
    expect(problemsOf({ MCP_METRICS_ENABLED: 'yes' })).toMatch(/metrics\.enabled: .* \(from environment variable MCP_METRICS_ENABLED\)/);
  });

  it('reads MCP_METRICS_KEY', () => {
    const key = 'k'.repeat(32);
    expect(loadConfig({ env: { MCP_METRICS_KEY: key } }).metrics.key).toBe(key);
  });

  it('accepts a metrics key given as its sha256 hash', () => {
    const hash = `sha256:${'a'.repeat(64)}`;
    expect(loadConfig({ overrides: { metrics: { key: hash } }, env: {} }).metrics.key).toBe(hash);
  });

  it('refuses a metrics key shorter than 16 characters', () => {
    expect(problemsOf({ MCP_METRICS_KEY: 'short' })).toMatch(/metrics\.key: .* \(from environment variable MCP_METRICS_KEY\)/);
  });

  it('reads MCP_METRICS_TENANT_LABEL_LIMIT and MCP_SHUTDOWN_GRACE_SECONDS as numbers', () => {
    const sut = loadConfig({ env: { MCP_METRICS_TENANT_LABEL_LIMIT: '0', MCP_SHUTDOWN_GRACE_SECONDS: '45' } });
    expect(sut.metrics.tenantLabelLimit).toBe(0);
    expect(sut.shutdown.graceSeconds).toBe(45);
  });

  it('refuses a grace period of zero seconds', () => {
    expect(problemsOf({ MCP_SHUTDOWN_GRACE_SECONDS: '0' })).toMatch(/shutdown\.graceSeconds: .* \(from environment variable MCP_SHUTDOWN_GRACE_SECONDS\)/);
  });
});
