import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { decodeJwt } from 'jose';
import type { JwtConfig } from '../config/auth-config';
import { AUTH_MODULE_OPTIONS } from './auth.constants';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { Authentication, AuthenticationTarget, CredentialVerifier } from './credential-verifier.interface';
import type { Principal } from './principal.interface';
import { holdSubjectToken } from './subject-token.holder';
import { TrustedIssuer } from './trusted-issuer';

interface StoredKey {
  hash: Buffer;
  principal: Principal;
}

/** What `npm run keygen` keys start with: never sent to an introspection endpoint. */
const API_KEY_PREFIX = 'mcp_';

/**
 * Checks API keys (stored as SHA-256 hashes, compared in constant time against every
 * configured key) and OAuth access tokens from the configured authorization servers —
 * `auth.jwt`, and each tenant's own (`tenants.<id>.jwt`), told apart by the token's `iss` —
 * and turns them into a {@link Principal}. JWTs are verified locally; opaque tokens are
 * introspected, only at the issuer of the path's tenant (else `auth.jwt`'s), so a token is
 * never shown to another tenant's authorization server.
 */
@Injectable()
export class ConfiguredCredentialVerifier implements CredentialVerifier, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly keys: StoredKey[];
  private readonly jwt?: JwtConfig;
  private readonly issuers = new Map<string, TrustedIssuer>();
  private readonly platformIssuer?: TrustedIssuer;
  private readonly tenantIssuers = new Map<string, TrustedIssuer>();

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    this.keys = (options.apiKeys ?? []).map((key) => ({
      hash: Buffer.from(key.hash.slice('sha256:'.length), 'hex'),
      principal: {
        id: key.id,
        kind: 'api-key',
        ...(key.tenant !== undefined && { tenantId: key.tenant }),
        permissions: key.permissions,
        ...(key.rateLimit && { rateLimit: { limit: key.rateLimit.limit, ttlSeconds: key.rateLimit.ttlSeconds } }),
      },
    }));
    this.jwt = options.jwt;
    const platformScopes = options.jwt?.scopes ?? {};
    if (options.jwt) {
      this.platformIssuer = new TrustedIssuer(options.jwt, { tenantClaim: options.jwt.tenantClaim, scopes: platformScopes });
      this.issuers.set(options.jwt.issuer, this.platformIssuer);
    }
    for (const [tenantId, tenant] of Object.entries(options.tenants ?? {})) {
      if (!tenant.jwt) continue;
      const taken = this.issuers.get(tenant.jwt.issuer);
      // Told apart by `iss` alone: one issuer serving two tenants could not say which.
      if (taken) {
        const owner = taken.tenantId === undefined ? 'auth.jwt' : `tenants.${taken.tenantId}.jwt`;
        throw new Error(`tenants.${tenantId}.jwt.issuer: ${tenant.jwt.issuer} is already the issuer of ${owner}`);
      }
      const issuer = new TrustedIssuer(tenant.jwt, { tenantId, scopes: tenant.jwt.scopes ?? platformScopes });
      this.issuers.set(tenant.jwt.issuer, issuer);
      this.tenantIssuers.set(tenantId, issuer);
    }
  }

  /** Authentication is on when keys or an authorization server are configured. */
  get enabled(): boolean {
    return this.keys.length > 0 || this.issuers.size > 0;
  }

  get jwtConfig(): JwtConfig | undefined {
    return this.jwt;
  }

  onModuleInit(): void {
    if (!this.enabled) this.logger.warn('No API keys and no JWT issuer configured: authentication is OFF, every caller has every permission');
  }

  async authenticate(headers: Record<string, string | string[] | undefined>, target?: AuthenticationTarget): Promise<Authentication> {
    const apiKey = single(headers['x-api-key']);
    if (apiKey) return this.verifyKey(apiKey);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(single(headers.authorization) ?? '')?.[1];
    if (!bearer) return { outcome: 'missing' };
    if (this.issuers.size > 0 && bearer.split('.').length === 3) return withSubjectToken(await this.verifyJwt(bearer, target), bearer);
    const key = this.verifyKey(bearer);
    if (key.outcome === 'authenticated' || bearer.startsWith(API_KEY_PREFIX)) return key;
    const introspecting = this.introspectorFor(target?.pathTenantId);
    return introspecting ? withSubjectToken(await introspecting.introspect(bearer, target), bearer) : key;
  }

  private verifyKey(key: string): Authentication {
    const presented = createHash('sha256').update(key).digest();
    let match: Principal | undefined;
    // Every key is compared, so the time taken does not tell which (or whether one) matched.
    for (const stored of this.keys) {
      if (timingSafeEqual(presented, stored.hash) && !match) match = stored.principal;
    }
    return match ? { outcome: 'authenticated', principal: match } : { outcome: 'invalid', reason: 'unknown API key', credential: 'api-key' };
  }

  private async verifyJwt(token: string, target: AuthenticationTarget | undefined): Promise<Authentication> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return { outcome: 'invalid', reason: 'malformed token', credential: 'jwt' };
    }
    // The claim only picks which issuer's keys check the signature; that issuer then checks `iss` again.
    const issuer = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    if (!issuer) return { outcome: 'invalid', reason: `unexpected "iss" claim value: ${String(iss).slice(0, 200)}`, credential: 'jwt' };
    return issuer.verifyJwt(token, target);
  }

  /** Who may see an opaque token: the path's tenant's issuer, else the server's own. */
  private introspectorFor(pathTenantId: string | undefined): TrustedIssuer | undefined {
    const tenantIssuer = pathTenantId === undefined ? undefined : this.tenantIssuers.get(pathTenantId);
    const issuer = tenantIssuer ?? this.platformIssuer;
    return issuer?.introspects ? issuer : undefined;
  }
}

/** An OAuth principal keeps its token for token exchange (beside it, never on it). */
function withSubjectToken(result: Authentication, token: string): Authentication {
  if (result.outcome === 'authenticated') holdSubjectToken(result.principal, token);
  return result;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
