import { Controller, Get, Inject, NotFoundException, Req } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WELL_KNOWN_RESOURCE_PATH } from './auth.constants';
import { CredentialVerifier } from './credential-verifier.interface';
import { Public } from './public.decorator';

/** RFC 9728 metadata, so MCP clients that speak OAuth find the authorization server. */
@Controller()
export class ProtectedResourceController {
  constructor(@Inject(CredentialVerifier) private readonly verifier: CredentialVerifier) {}

  @Public()
  @Get(WELL_KNOWN_RESOURCE_PATH.slice(1))
  metadata(@Req() req: IncomingMessage): Record<string, unknown> {
    const jwt = this.verifier.jwtConfig;
    // Served only where a client could use it: with an authorization server (JWT) configured.
    if (!this.verifier.enabled || !jwt) throw new NotFoundException('No OAuth authorization server is configured');
    const proto = String(req.headers['x-forwarded-proto'] ?? 'http')
      .split(',')[0]
      .trim();
    const resource = jwt?.resource ?? `${proto}://${req.headers.host ?? 'localhost'}/mcp`;
    return {
      resource,
      authorization_servers: jwt.authorizationServers ?? [jwt.issuer],
      bearer_methods_supported: ['header'],
      resource_name: 'MCP platform',
    };
  }
}
