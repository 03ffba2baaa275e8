import { createHash } from 'node:crypto';
import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { MetricsKeyGuard } from './metrics-key.guard';
import { resolveMetricsOptions } from './metrics.module';

const KEY = 'scrape-key-0123456789abcdef';
const SERVER_INFO = { version: '0.0.0', nodeId: 'n', sessionMode: 'stateful' };

function contextFor(authorization?: string) {
  const headers: Record<string, string> = {};
  const response = { setHeader: jest.fn((name: string, value: string) => (headers[name] = value)) };
  const context = {
    switchToHttp: () => ({
      getRequest: () => ({ headers: authorization === undefined ? {} : { authorization } }),
      getResponse: () => response,
    }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

function guardWith(key?: string): MetricsKeyGuard {
  return new MetricsKeyGuard(resolveMetricsOptions({ key, serverInfo: SERVER_INFO }));
}

describe(MetricsKeyGuard.name, () => {
  it('lets every request through when no key is configured', () => {
    expect(guardWith(undefined).canActivate(contextFor().context)).toBe(true);
  });

  it('accepts the configured key as a bearer token', () => {
    expect(guardWith(KEY).canActivate(contextFor(`Bearer ${KEY}`).context)).toBe(true);
  });

  it('accepts the key when the configuration holds only its sha256 hash', () => {
    const hash = `sha256:${createHash('sha256').update(KEY).digest('hex')}`;
    expect(guardWith(hash).canActivate(contextFor(`Bearer ${KEY}`).context)).toBe(true);
  });

  it('refuses a request without credentials with 401 and WWW-Authenticate', () => {
    const { context, headers } = contextFor();
    expect(() => guardWith(KEY).canActivate(context)).toThrow(UnauthorizedException);
    expect(headers['WWW-Authenticate']).toBe('Bearer realm="metrics"');
  });

  it('refuses a wrong key', () => {
    expect(() => guardWith(KEY).canActivate(contextFor('Bearer not-the-key').context)).toThrow(UnauthorizedException);
  });

  it('refuses the key sent with another scheme', () => {
    expect(() => guardWith(KEY).canActivate(contextFor(`Basic ${KEY}`).context)).toThrow(UnauthorizedException);
  });
});
