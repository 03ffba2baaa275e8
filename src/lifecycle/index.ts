export { DrainListener, LifecycleService } from './lifecycle.service';
export { LifecycleModule } from './lifecycle.module';
