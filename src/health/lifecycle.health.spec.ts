import { HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle';
import { LifecycleHealthIndicator } from './lifecycle.health';

describe(LifecycleHealthIndicator.name, () => {
  let lifecycle: LifecycleService;
  let sut: LifecycleHealthIndicator;

  beforeEach(() => {
    lifecycle = new LifecycleService();
    sut = new LifecycleHealthIndicator(new HealthIndicatorService(), lifecycle);
  });

  it('is up while the replica is not draining', () => {
    expect(sut.isAcceptingTraffic('shutdown')).toEqual({ shutdown: { status: 'up' } });
  });

  it('is down once the drain has begun', async () => {
    await lifecycle.beginDrain();
    expect(sut.isAcceptingTraffic('shutdown')).toEqual({ shutdown: { status: 'down', message: 'draining after SIGTERM' } });
  });
});
