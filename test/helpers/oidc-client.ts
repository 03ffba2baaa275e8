import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ConnectedClient } from './platform';

const REDIRECT_URL = 'http://127.0.0.1:9/callback';

/**
 * An interactive MCP client's OAuth side (the SDK's `OAuthClientProvider`) for the
 * authorization-code flow with PKCE and dynamic client registration. Where an app would open a
 * browser, it follows the authorization server's redirects itself (a fresh cookie jar each
 * time; the test server approves consent on its own) and keeps the code the flow ends with.
 */
export class BrowserlessOAuthClient implements OAuthClientProvider {
  private information?: OAuthClientInformationMixed;
  private current?: OAuthTokens;
  private verifier?: string;
  private code?: string;
  /** Every token set the SDK saved, oldest first. */
  readonly saved: OAuthTokens[] = [];
  /** Authorization URLs the SDK sent the "user" to. */
  readonly authorizations: URL[] = [];

  get redirectUrl(): string {
    return REDIRECT_URL;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcp-platform e2e',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.information = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.current;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.current = tokens;
    this.saved.push(tokens);
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizations.push(authorizationUrl);
    this.code = await authorize(authorizationUrl, REDIRECT_URL);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }

  /** The code of the last authorization (once). */
  takeCode(): string {
    const code = this.code;
    this.code = undefined;
    if (!code) throw new Error('no authorization code');
    return code;
  }

  /** Drops the refresh token, as a client without one would be (the SDK then authorizes again instead of refreshing). */
  forgetRefreshToken(): void {
    if (this.current) this.current = { ...this.current, refresh_token: undefined };
  }
}

/** Follows an authorization request's redirects to the redirect URL, returning the code. */
async function authorize(start: URL, redirectUrl: string): Promise<string> {
  const cookies = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()];
      if (value === '' || attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))) cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get('location');
    await response.text();
    if (!location) throw new Error(`authorization stopped at ${url.href} with HTTP ${response.status}`);
    url = new URL(location, url);
    if (url.href.startsWith(redirectUrl)) {
      const code = url.searchParams.get('code');
      if (!code) throw new Error(`authorization refused: ${url.searchParams.get('error')} ${url.searchParams.get('error_description')}`);
      return code;
    }
  }
  throw new Error('too many redirects');
}

/**
 * Connects an SDK client with the SDK's own OAuth support: the first connection meets 401,
 * discovers the authorization server (RFC 9728, RFC 8414), registers, authorizes (PKCE) and
 * gives up with `UnauthorizedError`; the code is then exchanged (`finishAuth`) and the client
 * connects again, as the SDK's documentation describes for interactive clients.
 */
export async function connectWithOAuth(url: string, provider: BrowserlessOAuthClient): Promise<ConnectedClient> {
  const attempt = async (authorized: boolean): Promise<ConnectedClient> => {
    const client = new Client({ name: 'e2e-oauth-client', version: '1.0.0' }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    try {
      await client.connect(transport);
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || authorized) throw error;
      await transport.finishAuth(provider.takeCode());
      return attempt(true);
    }
    return { client, transport };
  };
  return attempt(false);
}
