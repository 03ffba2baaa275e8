/** Options of {@link MetricsModule.forRoot}. */
export interface MetricsModuleOptions {
  /** Serve `GET /metrics`. Without it the metrics are still kept (the observer works). @default true */
  enabled?: boolean;
  /** Require `Authorization: Bearer <key>` on `/metrics`: the key, or `sha256:<64 hex>` of it. */
  key?: string;
  /** Node.js process metrics (`process_*`, `nodejs_*`). @default true */
  defaultMetrics?: boolean;
  /** Tenants labelled by name, first come first served, besides `knownTenants`. @default 100 */
  tenantLabelLimit?: number;
  /** Tenants always labelled by name (those in the config). @default [] */
  knownTenants?: string[];
  /** Labels of `mcp_server_info`. @default { version: <package.json>, nodeId: 'local', sessionMode: 'stateful' } */
  serverInfo?: { version: string; nodeId: string; sessionMode: string };
}

export type ResolvedMetricsOptions = Required<Omit<MetricsModuleOptions, 'key'>> & Pick<MetricsModuleOptions, 'key'>;
