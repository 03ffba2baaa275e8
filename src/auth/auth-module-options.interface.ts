import type { Type } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ApiKeyConfig, JwtConfig, RateLimitConfig, TenantConfig } from '../config/auth-config';
import type { CredentialVerifier } from './credential-verifier.interface';

/** Options of {@link AuthModule}: who may call, what they may use, how often. */
export interface AuthModuleOptions {
  /** API keys, stored as `sha256:` hashes (`npm run keygen`). None and no `jwt`: authentication is off. */
  apiKeys?: ApiKeyConfig[];
  /** OAuth access tokens from your identity provider (JWTs, or opaque ones introspected), bound to this server's resource URL. */
  jwt?: JwtConfig;
  /** Per-tenant rules: tools allowed and denied, the tenant's own rate limit and identity provider (`jwt`). */
  tenants?: Record<string, TenantConfig>;
  /** Calls per caller and window: `default` for authenticated callers, `anonymous` per client IP. */
  rateLimit?: { default?: RateLimitConfig; anonymous?: RateLimitConfig; onStoreError?: 'open' | 'closed' };
  /** Replaces the API-key/JWT verifier. */
  credentialVerifier?: Type<CredentialVerifier>;
  /** Where rate-limit counters live. @default Redis when RedisModule is imported, else this process */
  throttlerStorage?: ThrottlerStorage;
}
