import type { JwtConfig } from '../config/auth-config';
import type { Principal } from './principal.interface';

/** What a request's credentials turned out to be. */
export type Authentication =
  | { outcome: 'authenticated'; principal: Principal }
  | { outcome: 'missing' }
  | { outcome: 'invalid'; reason: string; credential: 'api-key' | 'jwt'; expired?: boolean }
  /** The credential could not be checked now (the issuer's keys or introspection unreachable): 503. */
  | { outcome: 'unavailable'; reason: string };

/**
 * Where credentials were presented (RFC 8707 / RFC 9728): a token must have been issued for
 * this server — its resource URL for the request, or the server's own — to be accepted.
 */
export interface AuthenticationTarget {
  /** The resource URL of the request: `…/mcp`, or `…/tenants/{tenantId}/mcp` on a tenant's path. */
  readonly resource: string;
  /** The server's resource URL without a tenant (the same as `resource` off tenant paths). */
  readonly baseResource: string;
  /** The tenant named by the path: opaque tokens are introspected only at its issuer (or the server's). */
  readonly pathTenantId?: string;
}

/**
 * Turns a request's credentials (`X-API-Key`, `Authorization: Bearer`) into a
 * {@link Principal}. AuthModule provides one for API keys and OAuth/JWT access tokens;
 * provide your own under this token (AuthModule's `credentialVerifier` option) to
 * authenticate another way.
 */
export interface CredentialVerifier {
  /** False: authentication is off, every caller is anonymous with every permission. */
  readonly enabled: boolean;
  authenticate(headers: Record<string, string | string[] | undefined>, target?: AuthenticationTarget): Promise<Authentication>;
  /** The JWT settings, for the protected-resource metadata (RFC 9728). */
  readonly jwtConfig?: JwtConfig;
}

/** Injection token of the {@link CredentialVerifier} port. */
export const CredentialVerifier = Symbol('AUTH:CREDENTIAL_VERIFIER');
