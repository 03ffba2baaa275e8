/** Health routes: public API (probes, load balancers and the Helm chart use them). */
export const HealthPath = {
  ROOT: '/health',
  /** 200 while the process can serve; never depends on the session store. */
  LIVE: '/health/live',
  /** 200 only when this replica can take traffic; 503 otherwise. */
  READY: '/health/ready',
} as const;

/** Keys of the readiness indicators in health responses. */
export const HealthKey = {
  SHUTDOWN: 'shutdown',
  REGISTRY: 'registry',
  SESSION_STORE: 'sessionStore',
} as const;

/** Longest wait for the session store's ping before it counts as unreachable. */
export const STORE_PING_TIMEOUT_MS = 2000;

/** How often the drain checks whether in-flight requests have finished. */
export const DRAIN_POLL_MS = 50;

export const HEALTH_MODULE_OPTIONS = 'HEALTH:MODULE_OPTIONS';
