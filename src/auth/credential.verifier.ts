import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JWTPayload, JWTVerifyGetKey, createRemoteJWKSet, importSPKI, jwtVerify } from 'jose';
import type { JwtConfig } from '../config/auth-config';
import { AUTH_MODULE_OPTIONS } from './auth.constants';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { Authentication, CredentialVerifier } from './credential-verifier.interface';
import type { Principal } from './principal.interface';

interface StoredKey {
  hash: Buffer;
  principal: Principal;
}

type JwtKey = Uint8Array | Awaited<ReturnType<typeof importSPKI>> | JWTVerifyGetKey;

/**
 * Checks API keys (stored as SHA-256 hashes, compared in constant time against every
 * configured key) and JWT bearer tokens (jose: issuer, audience, JWKS / public key /
 * secret), and turns them into a {@link Principal}.
 */
@Injectable()
export class ConfiguredCredentialVerifier implements CredentialVerifier, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly keys: StoredKey[];
  private readonly jwt?: JwtConfig;
  private jwtKey?: JwtKey;

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
  }

  /** Authentication is on when keys or a JWT issuer are configured. */
  get enabled(): boolean {
    return this.keys.length > 0 || this.jwt !== undefined;
  }

  get jwtConfig(): JwtConfig | undefined {
    return this.jwt;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) {
      this.logger.warn('No API keys and no JWT issuer configured: authentication is OFF, every caller has every permission');
      return;
    }
    if (this.jwt) this.jwtKey = await this.loadJwtKey(this.jwt);
  }

  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Authentication> {
    const apiKey = single(headers['x-api-key']);
    if (apiKey) return this.verifyKey(apiKey);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(single(headers.authorization) ?? '')?.[1];
    if (!bearer) return { outcome: 'missing' };
    if (this.jwt && bearer.split('.').length === 3) return this.verifyJwt(bearer, this.jwt);
    return this.verifyKey(bearer);
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

  private async verifyJwt(token: string, jwt: JwtConfig): Promise<Authentication> {
    try {
      const { payload } = await jwtVerify(token, this.jwtKey as JWTVerifyGetKey, {
        issuer: jwt.issuer,
        ...(jwt.audience !== undefined && { audience: jwt.audience }),
        ...(jwt.algorithms && { algorithms: jwt.algorithms }),
      });
      // A token that never expires, or that names nobody, is not a credential to accept.
      if (jwt.requireExp !== false && payload.exp === undefined) return { outcome: 'invalid', reason: 'token has no exp claim', credential: 'jwt' };
      const principal = this.principalOf(payload, jwt);
      if (principal.userId === undefined) {
        return { outcome: 'invalid', reason: `token has no ${jwt.userClaim ?? 'sub'} claim`, credential: 'jwt' };
      }
      return { outcome: 'authenticated', principal };
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      return { outcome: 'invalid', reason: (error as Error).message, credential: 'jwt', ...(expired && { expired }) };
    }
  }

  private principalOf(payload: JWTPayload, jwt: JwtConfig): Principal {
    const userId = claimString(payload[jwt.userClaim ?? 'sub']);
    const tenantId = claimString(payload[jwt.tenantClaim ?? 'tenant']);
    const raw = payload[jwt.permissionsClaim ?? 'permissions'];
    const permissions = Array.isArray(raw)
      ? raw.filter((item): item is string => typeof item === 'string')
      : typeof raw === 'string'
        ? raw.split(/\s+/).filter(Boolean)
        : [];
    return {
      id: `jwt:${userId ?? 'unknown'}`,
      kind: 'jwt',
      ...(userId !== undefined && { userId }),
      ...(tenantId !== undefined && { tenantId }),
      permissions,
    };
  }

  private async loadJwtKey(jwt: JwtConfig): Promise<JwtKey> {
    if (jwt.jwksUrl) return createRemoteJWKSet(new URL(jwt.jwksUrl));
    if (jwt.publicKey) return importSPKI(jwt.publicKey, jwt.algorithms?.[0] ?? 'RS256');
    if (jwt.secret) return new TextEncoder().encode(jwt.secret);
    throw new Error('auth.jwt needs jwksUrl, publicKey or secret');
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function claimString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
