import { IssuerUnavailableError } from './auth.exception';

/** The members of an authorization server's metadata (OpenID Connect Discovery / RFC 8414) used here. */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
  token_endpoint?: string;
}

/**
 * An issuer's metadata, read once from `<issuer>/.well-known/openid-configuration`, else from
 * RFC 8414's `/.well-known/oauth-authorization-server` (path inserted), and kept. A failed
 * read is not repeated for `retryMs`, so an unreachable issuer is not asked on every request.
 * The document must name the configured issuer (RFC 8414 §3.3), or it is not used.
 */
export class IssuerDiscovery {
  private document?: Promise<IssuerMetadata>;
  private failed?: { at: number; error: Error };

  constructor(
    private readonly issuer: string,
    private readonly retryMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 5000,
  ) {}

  metadata(): Promise<IssuerMetadata> {
    if (this.failed && Date.now() - this.failed.at < this.retryMs) return Promise.reject(this.failed.error);
    this.document ??= this.load().then(
      (document) => {
        this.failed = undefined;
        return document;
      },
      (error: Error) => {
        this.document = undefined;
        this.failed = { at: Date.now(), error };
        throw error;
      },
    );
    return this.document;
  }

  private async load(): Promise<IssuerMetadata> {
    const issuer = new URL(this.issuer);
    const path = issuer.pathname.replace(/\/$/, '');
    const candidates = [`${issuer.origin}${path}/.well-known/openid-configuration`, `${issuer.origin}/.well-known/oauth-authorization-server${path}`];
    let last = '';
    for (const url of candidates) {
      const response = await this.fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      }).catch((error: unknown) => {
        throw new IssuerUnavailableError(`issuer ${this.issuer} unreachable: ${(error as Error).message}`, { cause: error });
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        last = `${url} answered HTTP ${response.status}`;
        continue;
      }
      const document = (await response.json().catch(() => undefined)) as Partial<IssuerMetadata> | undefined;
      if (document?.issuer !== this.issuer) {
        throw new IssuerUnavailableError(`${url} names issuer ${String(document?.issuer)}, not ${this.issuer}`);
      }
      return document as IssuerMetadata;
    }
    throw new IssuerUnavailableError(`no metadata for issuer ${this.issuer}: ${last}`);
  }
}
