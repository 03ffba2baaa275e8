import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { IssuerConfig, JwtConfig, TenantConfig } from '../config/auth-config';
import { TENANT_ID_PATTERN } from '../tenant/tenant.constants';
import { AUTH_MODULE_OPTIONS, WELL_KNOWN_RESOURCE_PATH } from './auth.constants';
import type { AuthModuleOptions } from './auth-module-options.interface';
import type { AuthenticationTarget } from './credential-verifier.interface';

type Request = IncomingMessage & { params?: Record<string, string> };

/** RFC 9728 protected-resource metadata. */
export interface ResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name: string;
}

/**
 * This server as an OAuth protected resource (MCP authorization, RFC 9728 / RFC 8707): its
 * resource URL — `auth.jwt.resource`, else the request's origin + `/mcp` — and each tenant's
 * (`…/tenants/{tenantId}/mcp`), the metadata of each (the tenant's own authorization server
 * when it has one, else `auth.jwt`'s) and the `WWW-Authenticate` challenges that point to it.
 */
@Injectable()
export class ProtectedResource {
  private readonly platform?: JwtConfig;
  private readonly tenants: Record<string, TenantConfig>;

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    this.platform = options.jwt;
    this.tenants = options.tenants ?? {};
  }

  /** The resource URLs a request's token must be for. */
  targetOf(req: Request): AuthenticationTarget {
    const baseResource = this.baseResource(req);
    const tenantId = req.params?.tenantId;
    if (tenantId === undefined || !TENANT_ID_PATTERN.test(tenantId)) return { resource: baseResource, baseResource };
    return { resource: tenantResource(baseResource, tenantId), baseResource, pathTenantId: tenantId };
  }

  /** The metadata for a resource, when an authorization server is configured for it. */
  metadata(resource: string, tenantId?: string): ResourceMetadata | undefined {
    const issuer = this.issuerFor(tenantId);
    if (!issuer) return undefined;
    const scopes = Object.keys(this.scopesFor(tenantId));
    return {
      resource,
      authorization_servers: issuer.authorizationServers ?? [issuer.issuer],
      ...(scopes.length > 0 && { scopes_supported: scopes }),
      bearer_methods_supported: ['header'],
      resource_name: 'MCP platform',
    };
  }

  /**
   * The metadata served at `/.well-known/oauth-protected-resource<suffix>`: the server's with
   * no suffix or its resource path, a tenant's with the tenant's resource path, else none.
   */
  metadataAt(req: Request, suffix: string): ResourceMetadata | undefined {
    const base = this.baseResource(req);
    const basePath = new URL(base).pathname;
    if (suffix === '' || suffix === basePath) return this.metadata(base);
    const tenantId = /\/tenants\/([^/]+)\//.exec(suffix)?.[1];
    if (tenantId === undefined || !TENANT_ID_PATTERN.test(tenantId)) return undefined;
    const resource = tenantResource(base, tenantId);
    return new URL(resource).pathname === suffix ? this.metadata(resource, tenantId) : undefined;
  }

  /** Where a resource's metadata is (RFC 9728 §3.1: the well-known path before the resource's path). */
  metadataUrl(resource: string): string {
    const url = new URL(resource);
    return `${url.origin}${WELL_KNOWN_RESOURCE_PATH}${url.pathname === '/' ? '' : url.pathname}`;
  }

  /** The challenge of a 401: where to get a token (when OAuth is configured for the resource), and whether the one sent was bad. */
  unauthorized(target: AuthenticationTarget, invalidToken: boolean): string {
    const oauth = this.issuerFor(target.pathTenantId) !== undefined;
    return [
      'Bearer realm="mcp"',
      ...(oauth ? [`resource_metadata="${this.metadataUrl(target.resource)}"`] : []),
      ...(invalidToken ? ['error="invalid_token"'] : []),
    ].join(', ');
  }

  /** The challenge of a 403 for want of scopes (RFC 6750 §3.1; MCP step-up authorization). */
  insufficientScope(resource: string, scopes: readonly string[]): string {
    return `Bearer error="insufficient_scope", scope="${scopes.join(' ')}", resource_metadata="${this.metadataUrl(resource)}"`;
  }

  /** Scope → permissions for a tenant's tokens (its own issuer's map, else `auth.jwt`'s). */
  scopesFor(tenantId?: string): Readonly<Record<string, readonly string[]>> {
    const own = tenantId === undefined ? undefined : this.tenants[tenantId]?.jwt;
    return own?.scopes ?? this.platform?.scopes ?? {};
  }

  /** Scope → permissions of the issuer named `issuer`. */
  scopesOfIssuer(issuer: string): Readonly<Record<string, readonly string[]>> {
    for (const [tenantId, tenant] of Object.entries(this.tenants)) if (tenant.jwt?.issuer === issuer) return this.scopesFor(tenantId);
    return this.platform?.issuer === issuer ? (this.platform.scopes ?? {}) : {};
  }

  private issuerFor(tenantId: string | undefined): IssuerConfig | undefined {
    return (tenantId === undefined ? undefined : this.tenants[tenantId]?.jwt) ?? this.platform;
  }

  /** `auth.jwt.resource`, else the request's origin (`X-Forwarded-Proto` honoured) + `/mcp`. */
  private baseResource(req: Request): string {
    const configured = this.platform?.resource;
    if (configured) return configured;
    const forwarded = req.headers['x-forwarded-proto'];
    const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim() === 'https' ? 'https' : 'http';
    const derived = `${proto}://${req.headers.host ?? 'localhost'}/mcp`;
    // A Host header no URL can hold gets a placeholder (the edge refuses such hosts anyway).
    return URL.canParse(derived) ? derived : `${proto}://localhost/mcp`;
  }
}

/** A tenant's resource URL: `/tenants/{tenantId}` before the last segment of the server's (`…/mcp` → `…/tenants/acme/mcp`). */
export function tenantResource(base: string, tenantId: string): string {
  const url = new URL(base);
  const segments = url.pathname.split('/');
  segments.splice(segments.length - 1, 0, 'tenants', tenantId);
  url.pathname = segments.join('/');
  return url.toString();
}
