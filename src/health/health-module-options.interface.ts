/** Options of {@link HealthModule}. */
export interface HealthModuleOptions {
  /** This replica's name in `GET /health`. @default McpModule's `nodeId` */
  nodeId?: string;
  /** Facts shown under `features` in `GET /health` (what is switched on). */
  features?: Record<string, unknown>;
}
