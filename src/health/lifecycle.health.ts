import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle';

/** Down once SIGTERM has started the drain: load balancers stop sending new work here. */
@Injectable()
export class LifecycleHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly lifecycle: LifecycleService,
  ) {}

  isAcceptingTraffic<const Key extends string>(key: Key) {
    const indicator = this.health.check(key);
    return this.lifecycle.draining ? indicator.down({ message: 'draining after SIGTERM' }) : indicator.up();
  }
}
