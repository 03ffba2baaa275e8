import { errors, importSPKI, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyGetKey } from 'jose';
import type { IssuerConfig } from '../config/auth-config';
import { IssuerUnavailableError } from './auth.exception';
import type { Authentication, AuthenticationTarget } from './credential-verifier.interface';
import { IssuerDiscovery } from './issuer.discovery';
import { JwksKeySource } from './jwks.key-source';
import { permissionsOfScopes } from './permissions';
import type { Principal } from './principal.interface';
import { IntrospectedClaims, TokenIntrospector } from './token.introspector';

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SYMMETRIC = ['HS256', 'HS384', 'HS512'];

/** Defaults of the per-issuer settings (also in docs/configuration.md). */
export const ISSUER_DEFAULTS = {
  clockToleranceSeconds: 30,
  jwksCooldownSeconds: 2,
  jwksCacheMaxAgeSeconds: 600,
  introspectionCacheSeconds: 60,
  introspectionCacheMaxEntries: 10_000,
} as const;

export interface TrustedIssuerOptions {
  /** The tenant this issuer serves alone (`tenants.<id>.jwt`); unset for `auth.jwt`. */
  tenantId?: string;
  /** Claim naming the token's tenant (`auth.jwt` only). */
  tenantClaim?: string;
  /** Scope → permissions, the issuer's own or `auth.jwt.scopes`. */
  scopes: Readonly<Record<string, readonly string[]>>;
  fetch?: typeof fetch;
}

type Key = CryptoKey | Uint8Array | JWTVerifyGetKey;

/**
 * One authorization server whose access tokens are accepted: JWTs checked with jose (its
 * keys from `jwksUrl`, the discovery document's `jwks_uri`, a PEM key or a secret; issuer,
 * audience bound to this server's resource URL, `alg` allow-list, clock tolerance), opaque
 * tokens through its introspection endpoint; either way turned into a {@link Principal}
 * whose permissions are the permissions claim plus what the token's scopes map to.
 */
export class TrustedIssuer {
  private readonly discovery: IssuerDiscovery;
  private readonly algorithms: string[];
  private key?: Promise<Key>;
  private readonly introspector?: TokenIntrospector;

  constructor(
    readonly config: IssuerConfig,
    private readonly options: TrustedIssuerOptions,
  ) {
    const cooldownMs = (config.jwksCooldownSeconds ?? ISSUER_DEFAULTS.jwksCooldownSeconds) * 1000;
    this.discovery = new IssuerDiscovery(config.issuer, Math.max(cooldownMs, 1000), options.fetch);
    this.algorithms = config.algorithms ?? (config.secret ? SYMMETRIC : ASYMMETRIC);
    const introspection = config.introspection;
    if (introspection) {
      this.introspector = new TokenIntrospector(async () => introspection.url ?? (await this.endpointOf('introspection_endpoint')), {
        clientId: introspection.clientId,
        clientSecret: introspection.clientSecret,
        cacheSeconds: introspection.cacheSeconds ?? ISSUER_DEFAULTS.introspectionCacheSeconds,
        cacheMaxEntries: introspection.cacheMaxEntries ?? ISSUER_DEFAULTS.introspectionCacheMaxEntries,
        fetch: options.fetch,
      });
    }
  }

  get issuer(): string {
    return this.config.issuer;
  }

  get tenantId(): string | undefined {
    return this.options.tenantId;
  }

  /** Opaque tokens can be checked here. */
  get introspects(): boolean {
    return this.introspector !== undefined;
  }

  async verifyJwt(token: string, target: AuthenticationTarget | undefined): Promise<Authentication> {
    const audience = this.audiences(target);
    if (!audience) return invalid('no resource to bind the token to: set the audience');
    try {
      const { payload } = await jwtVerify(token, (await this.verificationKey()) as JWTVerifyGetKey, {
        issuer: this.config.issuer,
        audience,
        algorithms: this.algorithms,
        clockTolerance: this.config.clockToleranceSeconds ?? ISSUER_DEFAULTS.clockToleranceSeconds,
      });
      // A token that never expires is not a credential to accept.
      if (this.config.requireExp !== false && payload.exp === undefined) return invalid('token has no exp claim');
      return this.principalOf(payload, target?.resource ?? this.config.audience!);
    } catch (error) {
      if (error instanceof IssuerUnavailableError) return this.unavailable(error);
      const expired = error instanceof errors.JWTExpired;
      return { ...invalid((error as Error).message), ...(expired && { expired }) };
    }
  }

  /** An opaque token, asked about at the introspection endpoint (RFC 7662). */
  async introspect(token: string, target: AuthenticationTarget | undefined): Promise<Authentication> {
    const audience = this.audiences(target);
    if (!audience) return invalid('no resource to bind the token to: set the audience');
    let claims: IntrospectedClaims | undefined;
    try {
      claims = await this.introspector!.introspect(token);
    } catch (error) {
      if (error instanceof IssuerUnavailableError) return this.unavailable(error);
      throw error;
    }
    if (!claims) return invalid('token is not active');
    if (claims.iss !== undefined && claims.iss !== this.config.issuer) return invalid(`token issued by ${String(claims.iss)}`);
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((value) => audience.includes(value as string))) return invalid('token is not for this resource (aud)');
    if (this.config.requireExp !== false && typeof claims.exp !== 'number') return invalid('token has no exp claim');
    // RFC 7662 names the client; a client's own token (client credentials) may name no subject.
    const subject = claims.sub ?? claims.client_id;
    return this.principalOf({ ...claims, sub: subject } as JWTPayload, target?.resource ?? this.config.audience!);
  }

  /** What tokens must be for: the configured audience, else this server's resource URL(s). */
  private audiences(target: AuthenticationTarget | undefined): string[] | undefined {
    if (this.config.audience !== undefined) return [this.config.audience];
    if (!target) return undefined;
    return target.resource === target.baseResource ? [target.resource] : [target.resource, target.baseResource];
  }

  /** `resource`: what the token was accepted for (the request's resource URL, else the configured audience). */
  private principalOf(payload: JWTPayload, resource: string): Authentication {
    const userClaim = this.config.userClaim ?? 'sub';
    const userId = claimString(payload[userClaim]);
    if (userId === undefined) return invalid(`token has no ${userClaim} claim`);
    // A tenant's own issuer speaks for that tenant only, whatever its tokens claim.
    const tenantId = this.options.tenantId ?? claimString(payload[this.options.tenantClaim ?? 'tenant']);
    const scopes = claimList(payload[this.config.scopeClaim ?? 'scope']);
    const permissions = new Set([
      ...claimList(payload[this.config.permissionsClaim ?? 'permissions']),
      ...permissionsOfScopes(scopes, this.options.scopes),
    ]);
    const principal: Principal = {
      id: this.options.tenantId === undefined ? `jwt:${userId}` : `jwt:${this.options.tenantId}:${userId}`,
      kind: 'jwt',
      userId,
      ...(tenantId !== undefined && { tenantId }),
      permissions: [...permissions],
      oauth: {
        issuer: this.config.issuer,
        scopes,
        resource,
        ...(typeof payload.exp === 'number' && { expiresAt: payload.exp }),
      },
    };
    return { outcome: 'authenticated', principal };
  }

  private verificationKey(): Promise<Key> {
    this.key ??= this.loadKey().catch((error: unknown) => {
      // Discovery failed: asked again on a later request (IssuerDiscovery spaces the attempts).
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async loadKey(): Promise<Key> {
    const { jwksUrl, publicKey, secret } = this.config;
    if (publicKey) return importSPKI(publicKey, this.algorithms[0]);
    if (secret) return new TextEncoder().encode(secret);
    const url = jwksUrl ?? (await this.endpointOf('jwks_uri'));
    return new JwksKeySource(new URL(url), {
      cooldownMs: (this.config.jwksCooldownSeconds ?? ISSUER_DEFAULTS.jwksCooldownSeconds) * 1000,
      cacheMaxAgeMs: (this.config.jwksCacheMaxAgeSeconds ?? ISSUER_DEFAULTS.jwksCacheMaxAgeSeconds) * 1000,
      fetch: this.options.fetch,
    }).getKey;
  }

  private async endpointOf(member: 'jwks_uri' | 'introspection_endpoint'): Promise<string> {
    const value = (await this.discovery.metadata())[member];
    if (typeof value !== 'string') throw new IssuerUnavailableError(`issuer ${this.config.issuer} publishes no ${member}`);
    return value;
  }

  /** Logged once per refused request, by the guard's audit line. */
  private unavailable(error: IssuerUnavailableError): Authentication {
    return { outcome: 'unavailable', reason: error.message };
  }
}

function invalid(reason: string): Authentication {
  return { outcome: 'invalid', reason, credential: 'jwt' };
}

function claimString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An array claim, or a space-separated string like `scope`. */
function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}
