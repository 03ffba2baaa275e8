import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwksCache } from 'jose';
import type { ExportedJWKSCache, FlattenedJWSInput, JWSHeaderParameters, RemoteJWKSet } from 'jose';
import { IssuerUnavailableError } from './auth.exception';

export interface JwksKeySourceOptions {
  /** After a fetch, no other fetch for this long; a token with an unknown `kid` waits for its end. */
  cooldownMs: number;
  /** Keys are fetched again after this long. */
  cacheMaxAgeMs: number;
  /** @default 5000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The shortest pause before an issuer that could not be reached is asked again. */
const MIN_RETRY_MS = 1000;

/** Room for timers that fire a millisecond early. */
const TIMER_SLACK_MS = 5;

/**
 * An issuer's signing keys, fetched from its JWKS URL by jose's remote key set and cached for
 * `cacheMaxAgeMs`. A token whose `kid` is not among them makes the set fetch again at once —
 * unless a fetch happened less than `cooldownMs` ago: then the token waits for the cool-down
 * to end and for the next fetch, one fetch shared by every token waiting. So a key rotated in
 * at the issuer is accepted within the cool-down (jose alone refuses it until its cool-down has
 * passed, 30 s by default), while a flood of made-up `kid`s costs the issuer one fetch per
 * cool-down. When the issuer cannot be reached, the keys it last published still serve.
 */
export class JwksKeySource {
  private readonly cache = {} as ExportedJWKSCache;
  private readonly remote: RemoteJWKSet;
  private cooldownOver?: Promise<void>;
  private failure?: { at: number; error: IssuerUnavailableError };

  constructor(
    url: URL,
    private readonly options: JwksKeySourceOptions,
  ) {
    const fetchImpl = options.fetch ?? fetch;
    this.remote = createRemoteJWKSet(url, {
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs,
      timeoutDuration: options.timeoutMs ?? 5000,
      [jwksCache]: this.cache,
      // Failing to reach the issuer is not the token's fault: told apart from a refusal (503, not 401).
      [customFetch]: async (href, init) => {
        const response = await fetchImpl(href, init).catch((error: unknown) => {
          throw new IssuerUnavailableError(`JWKS ${href} unreachable: ${(error as Error).message}`, { cause: error });
        });
        if (response.status !== 200) {
          await response.body?.cancel();
          throw new IssuerUnavailableError(`JWKS ${href} answered HTTP ${response.status}`);
        }
        return response;
      },
    });
  }

  /**
   * For `jwtVerify`: the key for a token's header. While the issuer cannot be reached, the
   * keys last fetched (however old) still serve, and the issuer is not asked again before
   * the retry pause: an outage neither refuses every token nor makes every request wait for
   * a timeout.
   */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (this.failure && Date.now() - this.failure.at < this.retryMs) return this.lastKnown(header, token, this.failure.error);
    try {
      return await this.resolve(header, token);
    } catch (error) {
      if (!(error instanceof IssuerUnavailableError)) throw error;
      this.failure = { at: Date.now(), error };
      return this.lastKnown(header, token, error);
    }
  };

  private async resolve(header: JWSHeaderParameters, token: FlattenedJWSInput) {
    try {
      return await this.remote(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !this.remote.coolingDown) throw error;
      await this.endOfCooldown();
      return this.remote(header, token);
    }
  }

  private lastKnown(header: JWSHeaderParameters, token: FlattenedJWSInput, error: IssuerUnavailableError) {
    if (!this.cache.jwks) throw error;
    return createLocalJWKSet(this.cache.jwks)(header, token);
  }

  /** Between two attempts to reach an issuer that failed. */
  private get retryMs(): number {
    return Math.max(this.options.cooldownMs, MIN_RETRY_MS);
  }

  /** One timer for every token waiting: they retry together, and jose fetches once for them. */
  private endOfCooldown(): Promise<void> {
    this.cooldownOver ??= new Promise<void>((resolve) => {
      const left = Math.max(0, (this.cache.uat ?? 0) + this.options.cooldownMs - Date.now()) + TIMER_SLACK_MS;
      setTimeout(() => {
        this.cooldownOver = undefined;
        resolve();
      }, left).unref();
    });
    return this.cooldownOver;
  }
}
