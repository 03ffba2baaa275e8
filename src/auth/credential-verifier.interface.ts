import type { JwtConfig } from '../config/auth-config';
import type { Principal } from './principal.interface';

/** What a request's credentials turned out to be. */
export type Authentication =
  | { outcome: 'authenticated'; principal: Principal }
  | { outcome: 'missing' }
  | { outcome: 'invalid'; reason: string; credential: 'api-key' | 'jwt'; expired?: boolean };

/**
 * Turns a request's credentials (`X-API-Key`, `Authorization: Bearer`) into a
 * {@link Principal}. AuthModule provides one for API keys and JWTs; provide your own under
 * this token (AuthModule's `credentialVerifier` option) to authenticate another way.
 */
export interface CredentialVerifier {
  /** False: authentication is off, every caller is anonymous with every permission. */
  readonly enabled: boolean;
  authenticate(headers: Record<string, string | string[] | undefined>): Promise<Authentication>;
  /** The JWT settings, for the protected-resource metadata (RFC 9728). */
  readonly jwtConfig?: JwtConfig;
}

/** Injection token of the {@link CredentialVerifier} port. */
export const CredentialVerifier = Symbol('AUTH:CREDENTIAL_VERIFIER');
