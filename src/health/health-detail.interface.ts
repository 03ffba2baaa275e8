import type { HealthIndicatorResult } from '@nestjs/terminus';

/** The body of `GET /health` (seed 001 and 003 shapes, merged). */
export interface HealthDetail {
  /** `healthy` when ready for traffic; `draining` after SIGTERM; `unhealthy` otherwise. */
  status: 'healthy' | 'draining' | 'unhealthy';
  nodeId: string;
  version: string;
  /** Seconds since the process started. */
  uptime: number;
  timestamp: string;
  sessionMode: string;
  /** Live sessions in the store; null when the store does not answer. */
  activeSessions: number | null;
  tools: number;
  resources: number;
  prompts: number;
  features: {
    /** Sessions in Redis (shared by every replica) rather than in this process. */
    redis: boolean;
    /** What the application says is switched on (HealthModule's `features`). */
    [feature: string]: unknown;
  };
  /** The readiness indicators, as `/health/ready` reports them. */
  checks: HealthIndicatorResult;
}
