export { DrainListener, LifecycleService } from './lifecycle.service';
export { LifecycleModule } from './lifecycle.module';
export { GracefulShutdown } from './graceful-shutdown.service';
export { DRAIN_TIMEOUT_MS } from './lifecycle.constants';
