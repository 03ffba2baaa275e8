export { HealthModule } from './health.module';
export { HealthKey, HealthPath } from './health.constants';
export type { HealthDetail } from './health-detail.interface';
export type { HealthModuleOptions } from './health-module-options.interface';
