import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';

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

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'];

/**
 * `{ "<scope>": ["<permission>", …] }`: what each OAuth scope grants. Scope names are any
 * non-blank strings without spaces; permissions look like those of API keys.
 */
function IsScopeMap(): PropertyDecorator {
  return ValidateBy({
    name: 'isScopeMap',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.entries(value).every(
          ([scope, permissions]) =>
            /^\S+$/.test(scope) &&
            Array.isArray(permissions) &&
            permissions.length > 0 &&
            permissions.every((permission) => typeof permission === 'string' && PERMISSION.test(permission)),
        ),
      defaultMessage: () => 'must map each scope (no spaces) to a non-empty list of permissions like *, pack:*, pack:tool',
    },
  });
}

/** RFC 7662 token introspection, for opaque (non-JWT) access tokens. */
/** This server's own client at an authorization server (introspection, token exchange). */
export class OAuthClientConfig {
  /** This server's client id at the authorization server. */
  @IsString()
  @MinLength(1)
  clientId!: string;

  @IsString()
  @MinLength(1)
  clientSecret!: string;
}

export class IntrospectionConfig extends OAuthClientConfig {
  /** The introspection endpoint; unset: `introspection_endpoint` of the issuer's discovery document. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  url?: string;

  /** An answer is reused until the token expires, but at most this long. 0: ask every time. @default 60 */
  @IsOptional()
  @IsInt()
  @Min(0)
  cacheSeconds?: number;

  /** Answers kept at most (the oldest go first). @default 10000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  cacheMaxEntries?: number;
}

/**
 * OAuth 2.0 token exchange (RFC 8693) for tools that call other APIs as their caller
 * (`@McpTool({ onBehalfOf })`, `ctx.tokenFor()`): the caller's access token is exchanged at
 * the token endpoint by this server's own client.
 */
export class TokenExchangeConfig extends OAuthClientConfig {
  /** The token endpoint; unset: `token_endpoint` of the issuer's discovery document. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  tokenEndpoint?: string;

  /** How the client authenticates at the token endpoint. @default 'client_secret_basic' */
  @IsOptional()
  @IsIn(['client_secret_basic', 'client_secret_post'])
  clientAuthMethod?: 'client_secret_basic' | 'client_secret_post';

  /** `subject_token_type` sent with the caller's token. @default 'urn:ietf:params:oauth:token-type:access_token' */
  @IsOptional()
  @IsString()
  @MinLength(1)
  subjectTokenType?: string;

  /** Exchanged tokens kept at most (the oldest go first). @default 10000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  cacheMaxEntries?: number;
}

/** One authorization server whose access tokens this server accepts. */
export class IssuerConfig {
  /** The `iss` its tokens carry (and where its discovery document is). */
  @IsString()
  @MinLength(1)
  issuer!: string;

  /** The `aud` tokens must carry; unset: this server's resource URL (RFC 8707). */
  @IsOptional()
  @IsString()
  audience?: string;

  /** Keys from this JWKS URL; unset (and no `publicKey` / `secret`): `jwks_uri` of the issuer's discovery document. */
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

  /** Accepted `alg`s. @default the asymmetric ones (HS* with `secret`) */
  @IsOptional()
  @IsArray()
  @IsIn(ALGORITHMS, { each: true })
  algorithms?: string[];

  /** Claim holding permissions: an array, or a space-separated string. @default 'permissions' */
  @IsOptional()
  @IsString()
  permissionsClaim?: string;

  /** Claim holding the OAuth scopes granted (mapped through `scopes`). @default 'scope' */
  @IsOptional()
  @IsString()
  scopeClaim?: string;

  /** Scope → permissions, e.g. `{ "mcp:calculator": ["calculator:*"] }`; listed as `scopes_supported`. */
  @IsOptional()
  @IsScopeMap()
  scopes?: Record<string, string[]>;

  /** Claim naming the user; a token without it is refused. @default 'sub' */
  @IsOptional()
  @IsString()
  userClaim?: string;

  /** Refuse tokens without `exp` (a token that never expires). @default true */
  @IsOptional()
  @IsBoolean()
  requireExp?: boolean;

  /** Clock skew allowed when checking `exp` and `nbf`. @default 30 */
  @IsOptional()
  @IsInt()
  @Min(0)
  clockToleranceSeconds?: number;

  /** After a JWKS fetch, a token with an unknown `kid` waits this long for the next one. @default 2 */
  @IsOptional()
  @IsInt()
  @Min(0)
  jwksCooldownSeconds?: number;

  /** Keys are fetched again after this long, unknown `kid` or not. @default 600 */
  @IsOptional()
  @IsInt()
  @Min(1)
  jwksCacheMaxAgeSeconds?: number;

  /** Opaque tokens are checked at the issuer's introspection endpoint (RFC 7662). */
  @IsOptional()
  @ValidateNested()
  @Type(() => IntrospectionConfig)
  introspection?: IntrospectionConfig;

  /** Token exchange (RFC 8693) for tools that call downstream APIs as the caller. */
  @IsOptional()
  @ValidateNested()
  @Type(() => TokenExchangeConfig)
  tokenExchange?: TokenExchangeConfig;

  /** Authorization servers advertised in the protected-resource metadata (RFC 9728). @default [issuer] */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  authorizationServers?: string[];
}

/** OAuth 2.1 / JWT bearer tokens (verified with jose) and the protected-resource metadata (RFC 9728). */
export class JwtConfig extends IssuerConfig {
  /** Claim holding the tenant the token is bound to. @default 'tenant' */
  @IsOptional()
  @IsString()
  tenantClaim?: string;

  /** This server's resource URL (its MCP endpoint), the audience tokens must carry; derived from the request when unset. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
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

  /** The tenant's own identity provider: its tokens act for this tenant only, whatever path or header. */
  @IsOptional()
  @ValidateNested()
  @Type(() => IssuerConfig)
  jwt?: IssuerConfig;
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
