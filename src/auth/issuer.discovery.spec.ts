import { IssuerUnavailableError } from './auth.exception';
import { IssuerDiscovery } from './issuer.discovery';

function serving(documents: Record<string, unknown>): jest.Mock {
  return jest.fn(async (url: string) =>
    url in documents ? new Response(JSON.stringify(documents[url]), { status: 200 }) : new Response('not found', { status: 404 }),
  );
}

describe(IssuerDiscovery.name, () => {
  it('reads the OpenID Connect discovery document once', async () => {
    const fetch = serving({
      'https://idp.example.com/realms/acme/.well-known/openid-configuration': {
        issuer: 'https://idp.example.com/realms/acme',
        jwks_uri: 'https://idp.example.com/certs',
      },
    });
    const sut = new IssuerDiscovery('https://idp.example.com/realms/acme', 1000, fetch as unknown as typeof globalThis.fetch);

    await expect(sut.metadata()).resolves.toMatchObject({ jwks_uri: 'https://idp.example.com/certs' });
    await sut.metadata();

    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('falls back to RFC 8414 metadata, the well-known path inserted before the issuer’s path', async () => {
    const fetch = serving({
      'https://idp.example.com/.well-known/oauth-authorization-server/tenant1': {
        issuer: 'https://idp.example.com/tenant1',
        introspection_endpoint: 'https://idp.example.com/i',
      },
    });
    const sut = new IssuerDiscovery('https://idp.example.com/tenant1', 1000, fetch as unknown as typeof globalThis.fetch);

    await expect(sut.metadata()).resolves.toMatchObject({ introspection_endpoint: 'https://idp.example.com/i' });
  });

  it('keeps the issuer’s trailing slash (Auth0) when it names the document', async () => {
    const fetch = serving({
      'https://acme.auth0.com/.well-known/openid-configuration': { issuer: 'https://acme.auth0.com/', jwks_uri: 'https://acme.auth0.com/jwks' },
    });

    await expect(new IssuerDiscovery('https://acme.auth0.com/', 1000, fetch as unknown as typeof globalThis.fetch).metadata()).resolves.toBeDefined();
  });

  it('refuses a document that names another issuer (mix-up)', async () => {
    const fetch = serving({
      'https://idp.example.com/.well-known/openid-configuration': { issuer: 'https://evil.example.com', jwks_uri: 'https://evil.example.com/jwks' },
    });

    await expect(new IssuerDiscovery('https://idp.example.com', 1000, fetch as unknown as typeof globalThis.fetch).metadata()).rejects.toThrow(
      'names issuer https://evil.example.com',
    );
  });

  it('does not ask an unreachable issuer again before retryMs', async () => {
    const fetch = jest.fn().mockRejectedValue(new TypeError('fetch failed'));
    const sut = new IssuerDiscovery('https://idp.example.com', 60_000, fetch as unknown as typeof globalThis.fetch);

    await expect(sut.metadata()).rejects.toBeInstanceOf(IssuerUnavailableError);
    await expect(sut.metadata()).rejects.toBeInstanceOf(IssuerUnavailableError);

    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
