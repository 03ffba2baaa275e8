import { createHash } from 'node:crypto';
import { IssuerUnavailableError } from './auth.exception';

export interface TokenIntrospectorOptions {
  clientId: string;
  clientSecret: string;
  /** An answer is reused until the token expires, at most this long (0: never). */
  cacheSeconds: number;
  /** Answers kept at most; the oldest go first. */
  cacheMaxEntries: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default Date.now */
  now?: () => number;
  /** @default 5000 */
  timeoutMs?: number;
}

/** An active token's introspection answer (RFC 7662 §2.2); `undefined` stands for inactive. */
export type IntrospectedClaims = Record<string, unknown>;

/** How long an introspection endpoint that failed is not asked again. */
const RETRY_MS = 1000;

interface Cached {
  claims: IntrospectedClaims | undefined;
  until: number;
}

/**
 * Asks the authorization server about an opaque access token (RFC 7662) and remembers the
 * answer: an active token until its `exp`, but at most `cacheSeconds`, so a revoked token is
 * refused at the latest `cacheSeconds` after its revocation; an inactive one for
 * `cacheSeconds` too (it will not come back). Tokens are keyed by their SHA-256, concurrent
 * questions about one token share one request, and at most `cacheMaxEntries` answers are kept.
 */
export class TokenIntrospector {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<IntrospectedClaims | undefined>>();
  private readonly now: () => number;
  private failure?: { at: number; error: IssuerUnavailableError };

  constructor(
    private readonly endpoint: () => Promise<string>,
    private readonly options: TokenIntrospectorOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async introspect(token: string): Promise<IntrospectedClaims | undefined> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.claims;
    if (cached) this.cache.delete(key);
    // The endpoint just failed: not asked again (nor waited for) on every request.
    if (this.failure && this.now() - this.failure.at < RETRY_MS) throw this.failure.error;
    let asking = this.pending.get(key);
    if (!asking) {
      asking = this.ask(token)
        .then(
          (claims) => {
            this.failure = undefined;
            this.remember(key, claims);
            return claims;
          },
          (error: Error) => {
            if (error instanceof IssuerUnavailableError) this.failure = { at: this.now(), error };
            throw error;
          },
        )
        .finally(() => this.pending.delete(key));
      this.pending.set(key, asking);
    }
    return asking;
  }

  private async ask(token: string): Promise<IntrospectedClaims | undefined> {
    const url = await this.endpoint();
    const basic = Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString('base64');
    const response = await (this.options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    }).catch((error: unknown) => {
      throw new IssuerUnavailableError(`introspection at ${url} failed: ${(error as Error).message}`, { cause: error });
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new IssuerUnavailableError(`introspection at ${url} answered HTTP ${response.status}`);
    }
    const answer = (await response.json().catch(() => undefined)) as IntrospectedClaims | undefined;
    if (typeof answer !== 'object' || answer === null) throw new IssuerUnavailableError(`introspection at ${url} answered no JSON object`);
    return answer.active === true ? answer : undefined;
  }

  private remember(key: string, claims: IntrospectedClaims | undefined): void {
    const now = this.now();
    let until = now + this.options.cacheSeconds * 1000;
    if (typeof claims?.exp === 'number') until = Math.min(until, claims.exp * 1000);
    if (until <= now) return;
    if (this.cache.size >= this.options.cacheMaxEntries) {
      // Map order is insertion order: the first key is the oldest answer.
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, { claims, until });
  }
}
