/** Tenant ids: what fits safely in a URL path, a store key and a metric label. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export const TENANT_HEADER = 'x-tenant-id';
export const USER_HEADER = 'x-user-id';
