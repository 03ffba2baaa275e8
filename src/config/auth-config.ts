import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Min, MinLength, ValidateNested } from 'class-validator';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const PERMISSION = /^(\*|[A-Za-z0-9_.-]+(:(\*|[A-Za-z0-9_.-]+))?)$/;

/** A limit of `limit` requests per `ttlSeconds` window. */
export class RateLimitConfig {
  @IsInt()
  @Min(1)
  limit!: number;

  @IsInt()
  @Min(1)
  ttlSeconds!: number;
}

export class ApiKeyConfig {
  /** Shown in logs, metrics and audit events; never the key. */
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'id must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  id!: string;

  /** `sha256:` + 64 hex digits of the key; `npm run keygen` prints a key and this line. */
  @Matches(/^sha256:[0-9a-f]{64}$/, { message: 'hash must be sha256: followed by 64 lower-case hex digits' })
  hash!: string;

  /** The only tenant this key may act for. */
  @IsOptional()
  @Matches(TENANT_ID, { message: 'tenant must be a valid tenant id' })
  tenant?: string;

  /** e.g. `["*"]`, `["calculator:*", "diagnostics:echo"]`. */
  @IsArray()
  @ArrayNotEmpty()
  @Matches(PERMISSION, { each: true, message: 'each permission must look like *, pack:*, pack:tool or a plain name' })
  permissions!: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit?: RateLimitConfig;
}

/** JWT bearer tokens (verified with jose) and the OAuth protected-resource metadata (RFC 9728). */
export class JwtConfig {
  @IsString()
  @MinLength(1)
  issuer!: string;

  @IsOptional()
  @IsString()
  audience?: string;

  /** Keys from the issuer's JWKS endpoint; or give `publicKey` (PEM) or `secret` (HS256). */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  jwksUrl?: string;

  @IsOptional()
  @IsString()
  publicKey?: string;

  /** A shared secret for HS256 tokens (at least 32 characters). */
  @IsOptional()
  @IsString()
  @MinLength(32)
  secret?: string;

  @IsOptional()
  @IsArray()
  @IsIn(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'], { each: true })
  algorithms?: string[];

  /** Claim holding the tenant the token is bound to. @default 'tenant' */
  @IsOptional()
  @IsString()
  tenantClaim?: string;

  /** Claim holding permissions: an array, or a space-separated string like `scope`. @default 'permissions' */
  @IsOptional()
  @IsString()
  permissionsClaim?: string;

  /** Claim naming the user; a token without it is refused. @default 'sub' */
  @IsOptional()
  @IsString()
  userClaim?: string;

  /** Refuse tokens without `exp` (a token that never expires). @default true */
  @IsOptional()
  @IsBoolean()
  requireExp?: boolean;

  /** Authorization servers advertised in `/.well-known/oauth-protected-resource`. @default [issuer] */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  authorizationServers?: string[];

  /** The resource identifier (this server's MCP URL) advertised there; derived from the request when unset. */
  @IsOptional()
  @IsString()
  resource?: string;
}

export class AuthConfig {
  /** API keys; with none and no JWT, authentication is off (a warning says so at start). */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApiKeyConfig)
  apiKeys!: ApiKeyConfig[];

  @IsOptional()
  @ValidateNested()
  @Type(() => JwtConfig)
  jwt?: JwtConfig;

  /**
   * Serve without authentication when no keys and no JWT are configured. `false` (the
   * image's `config/production.yaml`): such a config stops the process at start. @default true
   */
  @IsBoolean()
  allowAnonymous!: boolean;
}

export class ToolRulesConfig {
  /** Tool names or `pack:tool` patterns (`*`, `calculator:*`) the tenant may use. @default ['*'] */
  @IsArray()
  @IsString({ each: true })
  allow!: string[];

  /** Patterns refused even when allowed. @default [] */
  @IsArray()
  @IsString({ each: true })
  deny!: string[];
}

export class TenantConfig {
  @IsOptional()
  @ValidateNested()
  @Type(() => ToolRulesConfig)
  tools?: ToolRulesConfig;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit?: RateLimitConfig;

  /** Tool packs this tenant may use; all enabled ones when unset. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  toolPacks?: string[];
}

export class RateLimitsConfig {
  /** Per authenticated caller (API key or token subject) without a limit of its own. */
  @ValidateNested()
  @Type(() => RateLimitConfig)
  default!: RateLimitConfig;

  /**
   * Per client IP for anonymous callers (authentication off). Unset: not limited — behind a
   * gateway every request has the gateway's address, so this is opt-in.
   */
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitConfig)
  anonymous?: RateLimitConfig;

  /**
   * When the counters' store (Redis) cannot be reached: `closed` answers 503, `open` lets
   * requests through uncounted (a stateless fleet keeps serving). @default 'closed'
   */
  @IsOptional()
  @IsIn(['open', 'closed'])
  onStoreError?: 'open' | 'closed';
}
