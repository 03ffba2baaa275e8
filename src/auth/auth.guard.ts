import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, Optional, ServiceUnavailableException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { setResponseHeader } from '../common/http-objects';
import { DefaultTenantResolver } from '../tenant/tenant.resolver';
import { TenantResolver } from '../tenant/tenant-resolver.interface';
import { AuthAudit } from './auth.audit';
import { IS_PUBLIC_KEY, REQUEST_ACCESS } from './auth.constants';
import { AuthenticationRequiredException } from './auth.exception';
import { AuthMessages } from './auth.messages';
import { CredentialVerifier } from './credential-verifier.interface';
import { ANONYMOUS, Principal, RequestAccess } from './principal.interface';
import { ProtectedResource } from './protected-resource.service';

/** How soon a client may try again when an authorization server could not be asked. */
const ISSUER_RETRY_AFTER_SECONDS = 5;

type Request = IncomingMessage & { id?: unknown; params?: Record<string, string>; [REQUEST_ACCESS]?: RequestAccess };

/**
 * The first guard of every MCP route (through McpModule's route guard, never APP_GUARD),
 * failing closed: a route it guards needs credentials unless it is `@Public()`. Resolves who
 * calls (API key or OAuth access token, bound to this server's resource URL; anonymous with
 * every permission when authentication is off) and for which tenant, and leaves both on the
 * request for the throttler, the controllers and the MCP edge. A 401 names the
 * protected-resource metadata of the requested resource when OAuth is configured.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CredentialVerifier) private readonly verifier: CredentialVerifier,
    @Optional() @Inject(TenantResolver) tenants: TenantResolver | undefined,
    private readonly audit: AuthAudit,
    private readonly resource: ProtectedResource,
  ) {
    // Without TenantModule: the tenant from the path and the credential only.
    this.tenants = tenants ?? new DefaultTenantResolver();
  }

  private readonly tenants: TenantResolver;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Tool methods run through Nest's pipeline too (context type 'mcp'): the HTTP request
    // that carried them was checked already.
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<object>();
    const principal = await this.authenticate(req, res);
    try {
      const { tenantId, userId } = this.tenants.resolve(req.params?.tenantId, req.headers, principal);
      req[REQUEST_ACCESS] = { principal, ...(tenantId !== undefined && { tenantId }), ...(userId !== undefined && { userId }) };
    } catch (error) {
      if (error instanceof HttpException) {
        this.audit.refused({
          who: principal.id,
          tenantId: principal.tenantId,
          what: describeRequest(req),
          why: error.message,
          status: error.getStatus(),
          requestId: String(req.id ?? ''),
          ...(error.getStatus() === 403 && { reason: 'tenant_mismatch' as const }),
        });
      }
      throw error;
    }
    return true;
  }

  private async authenticate(req: Request, res: object): Promise<Principal> {
    if (!this.verifier.enabled) return ANONYMOUS;
    const target = this.resource.targetOf(req);
    const result = await this.verifier.authenticate(req.headers, target);
    if (result.outcome === 'authenticated') return result.principal;
    if (result.outcome === 'unavailable') {
      // Neither accepted nor refused: the client keeps its token and tries again.
      setResponseHeader(res, 'Retry-After', ISSUER_RETRY_AFTER_SECONDS);
      this.audit.refused({ who: 'jwt:unknown', what: describeRequest(req), why: result.reason, status: 503, requestId: String(req.id ?? '') });
      throw new ServiceUnavailableException(AuthMessages.ISSUER_UNAVAILABLE);
    }
    const missing = result.outcome === 'missing';
    const challenge = this.resource.unauthorized(target, !missing);
    setResponseHeader(res, 'WWW-Authenticate', challenge);
    this.audit.refused({
      who: missing ? 'anonymous' : `${result.credential}:unknown`,
      what: describeRequest(req),
      why: missing ? 'no credentials' : result.reason,
      status: 401,
      requestId: String(req.id ?? ''),
      reason: missing ? 'missing' : result.expired ? 'expired' : 'invalid',
    });
    throw new AuthenticationRequiredException(missing ? AuthMessages.CREDENTIALS_REQUIRED : AuthMessages.INVALID_CREDENTIALS, challenge);
  }
}

/** `METHOD /path` for the audit line (only built for a refusal). */
function describeRequest(req: Request): string {
  return `${req.method} ${(req.url ?? '').split('?')[0]}`;
}
