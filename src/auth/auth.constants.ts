export const IS_PUBLIC_KEY = 'AUTH:PUBLIC';

/** Property of the HTTP request where the guard leaves {@link RequestAccess}. */
export const REQUEST_ACCESS = 'mcpAccess';

export const WELL_KNOWN_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

export const AUTH_MODULE_OPTIONS = 'AUTH:MODULE_OPTIONS';
