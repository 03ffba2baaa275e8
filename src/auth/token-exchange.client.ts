import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { TokenExchangeConfig } from '../config/auth-config';
import type { McpDownstream } from '../mcp/interfaces/mcp-token-exchange.interface';
import { McpToolError } from '../mcp/mcp.exception';
import { AuthMessages } from './auth.messages';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Defaults of `tokenExchange` (also in docs/configuration.md). */
export const TOKEN_EXCHANGE_DEFAULTS = {
  clientAuthMethod: 'client_secret_basic',
  subjectTokenType: ACCESS_TOKEN_TYPE,
  cacheMaxEntries: 10_000,
} as const;

/** A token is handed out from the cache while more than this is left of its life (and a tenth of it). */
const EXPIRY_MARGIN_MS = 30_000;

export interface TokenExchangeClientOptions {
  /** The token endpoint, resolved when first needed (configured, or from discovery). */
  endpoint: () => Promise<string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default Date.now */
  now?: () => number;
  /** @default 5000 */
  timeoutMs?: number;
}

/** Whose token is exchanged: the caller's access token, its principal and when it expires. */
export interface ExchangeSubject {
  token: string;
  principalId: string;
  /** `exp` of the caller's token, in seconds since the epoch. */
  expiresAt?: number;
}

interface Cached {
  token: string;
  until: number;
}

/**
 * Exchanges callers' access tokens for tokens to downstream APIs at one authorization
 * server's token endpoint (RFC 8693), as this server's own client, and keeps each answer until
 * shortly before it expires (never past the caller's token). Entries are keyed by a hash of
 * the principal, the caller's token, the audience, the resource and the scopes, so a token is
 * never served to another token of the same user with other scopes; concurrent asks for one
 * share one request; at most `cacheMaxEntries` are kept. No token is logged or put in an
 * error message.
 */
export class TokenExchangeClient {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly now: () => number;

  constructor(
    private readonly config: TokenExchangeConfig,
    private readonly options: TokenExchangeClientOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async exchange(subject: ExchangeSubject, downstream: McpDownstream): Promise<string> {
    const scopes = [...new Set(downstream.scopes ?? [])].sort();
    const key = createHash('sha256')
      .update([subject.principalId, subject.token, downstream.audience ?? '', downstream.resource ?? '', scopes.join(' ')].join('\u0000'))
      .digest('base64url');
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.token;
    if (cached) this.cache.delete(key);
    let asking = this.pending.get(key);
    if (!asking) {
      asking = this.ask(subject, downstream, scopes)
        .then(({ token, expiresInSeconds }) => {
          this.remember(key, token, expiresInSeconds, subject.expiresAt);
          return token;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, asking);
    }
    return asking;
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.cache.size;
  }

  private async ask(subject: ExchangeSubject, downstream: McpDownstream, scopes: string[]): Promise<{ token: string; expiresInSeconds?: number }> {
    const target = downstreamName(downstream);
    const url = await this.options.endpoint().catch((error: Error) => {
      throw new McpToolError(AuthMessages.EXCHANGE_UNREACHABLE(target, error.message));
    });
    const body = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject.token,
      subject_token_type: this.config.subjectTokenType ?? TOKEN_EXCHANGE_DEFAULTS.subjectTokenType,
      requested_token_type: ACCESS_TOKEN_TYPE,
    });
    if (downstream.audience !== undefined) body.set('audience', downstream.audience);
    if (downstream.resource !== undefined) body.set('resource', downstream.resource);
    if (scopes.length > 0) body.set('scope', scopes.join(' '));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if ((this.config.clientAuthMethod ?? TOKEN_EXCHANGE_DEFAULTS.clientAuthMethod) === 'client_secret_post') {
      body.set('client_id', this.config.clientId);
      body.set('client_secret', this.config.clientSecret);
    } else {
      // RFC 6749 §2.3.1: the id and secret are encoded before they are joined (as for introspection).
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`).toString('base64')}`;
    }
    const response = await (this.options.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    }).catch((error: unknown) => {
      throw new McpToolError(AuthMessages.EXCHANGE_UNREACHABLE(target, `${url}: ${(error as Error).message}`));
    });
    const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.status !== 200) {
      const error = typeof answer?.error === 'string' ? answer.error : undefined;
      if (!error) throw new McpToolError(AuthMessages.EXCHANGE_UNREACHABLE(target, `${url} answered HTTP ${response.status}`));
      const description = typeof answer?.error_description === 'string' ? clean(answer.error_description, subject.token) : undefined;
      throw new McpToolError(AuthMessages.EXCHANGE_REFUSED(target, clean(error, subject.token), description));
    }
    const token = answer?.access_token;
    if (typeof token !== 'string' || token === '') throw new McpToolError(AuthMessages.EXCHANGE_UNREACHABLE(target, `${url} answered no access_token`));
    const expiresIn = typeof answer?.expires_in === 'number' ? answer.expires_in : expiryOfJwt(token, this.now());
    return { token, ...(expiresIn !== undefined && { expiresInSeconds: expiresIn }) };
  }

  private remember(key: string, token: string, expiresInSeconds: number | undefined, subjectExpiresAt: number | undefined): void {
    // Without a lifetime the token is not kept: it could be handed out after it expired.
    if (expiresInSeconds === undefined || expiresInSeconds <= 0) return;
    const now = this.now();
    const lifetimeMs = expiresInSeconds * 1000;
    let until = now + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
    // Keyed by the caller's token: once that is expired, no request can ask for the entry.
    if (subjectExpiresAt !== undefined) until = Math.min(until, subjectExpiresAt * 1000);
    if (until <= now) return;
    if (this.cache.size >= (this.config.cacheMaxEntries ?? TOKEN_EXCHANGE_DEFAULTS.cacheMaxEntries)) {
      // Map order is insertion order: the first key is the oldest entry.
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, { token, until });
  }
}

/** `audience https://api.example.com` / `resource …`: what the token was for, in messages. */
export function downstreamName(downstream: McpDownstream): string {
  return downstream.audience ?? downstream.resource ?? 'the downstream API';
}

/** A string from the authorization server, fit for a message: one line, bounded, never the caller's token. */
function clean(text: string, token: string): string {
  return text
    .split(token)
    .join('[token]')
    .replace(/\p{Cc}+/gu, ' ')
    .slice(0, 200);
}

/** Seconds left of a JWT access token, when the answer gave no `expires_in`. */
function expiryOfJwt(token: string, now: number): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp - Math.floor(now / 1000) : undefined;
  } catch {
    return undefined;
  }
}
