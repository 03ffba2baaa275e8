export { HealthModule } from './health.module';
export { GracefulShutdown } from './graceful-shutdown.service';
export { HealthKey, HealthPath } from './health.constants';
export type { HealthDetail } from './health-detail.interface';
