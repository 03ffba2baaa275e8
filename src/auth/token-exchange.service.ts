import { Inject, Injectable } from '@nestjs/common';
import type { IssuerConfig } from '../config/auth-config';
import type { McpRequestContext } from '../mcp/interfaces/mcp-context.interface';
import type { McpDownstream, McpTokenExchange } from '../mcp/interfaces/mcp-token-exchange.interface';
import { McpToolError } from '../mcp/mcp.exception';
import { AUTH_MODULE_OPTIONS } from './auth.constants';
import { AuthMessages } from './auth.messages';
import type { AuthModuleOptions } from './auth-module-options.interface';
import { IssuerUnavailableError } from './auth.exception';
import { IssuerDiscovery } from './issuer.discovery';
import type { Principal } from './principal.interface';
import { subjectTokenOf } from './subject-token.holder';
import { TokenExchangeClient, downstreamName } from './token-exchange.client';

interface ExchangingIssuer {
  /** `auth.jwt` or `tenants.<id>.jwt`, for messages. */
  key: string;
  client?: TokenExchangeClient;
}

/**
 * `ctx.tokenFor()` behind the {@link McpTokenExchange} port: exchanges the caller's OAuth
 * access token at its own issuer's token endpoint (`auth.jwt.tokenExchange`, or the tenant's
 * `tenants.<id>.jwt.tokenExchange`) for a token to the downstream API, RFC 8693. API-key and
 * anonymous callers have no token to exchange: a tool error says so.
 */
@Injectable()
export class TokenExchangeService implements McpTokenExchange {
  private readonly issuers = new Map<string, ExchangingIssuer>();

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    if (options.jwt) this.add(options.jwt, 'auth.jwt');
    for (const [tenantId, tenant] of Object.entries(options.tenants ?? {})) {
      if (tenant.jwt) this.add(tenant.jwt, `tenants.${tenantId}.jwt`);
    }
  }

  async tokenFor(request: McpRequestContext, downstream: McpDownstream): Promise<string> {
    const target = downstreamName(downstream);
    const principal = request.principal as Principal | undefined;
    if (!principal || principal.kind === 'anonymous') throw new McpToolError(AuthMessages.EXCHANGE_ANONYMOUS(target));
    if (principal.kind === 'api-key') throw new McpToolError(AuthMessages.EXCHANGE_API_KEY(target));
    const token = subjectTokenOf(principal);
    const grant = principal.oauth;
    if (token === undefined || grant === undefined) throw new McpToolError(AuthMessages.EXCHANGE_NO_TOKEN(target));
    const issuer = this.issuers.get(grant.issuer);
    if (!issuer?.client) throw new McpToolError(AuthMessages.EXCHANGE_NOT_CONFIGURED(target, issuer?.key ?? 'auth.jwt'));
    return issuer.client.exchange({ token, principalId: principal.id, ...(grant.expiresAt !== undefined && { expiresAt: grant.expiresAt }) }, downstream);
  }

  private add(config: IssuerConfig, key: string): void {
    const exchange = config.tokenExchange;
    if (!exchange) {
      this.issuers.set(config.issuer, { key });
      return;
    }
    const discovery = exchange.tokenEndpoint === undefined ? new IssuerDiscovery(config.issuer, 1000, (input, init) => fetch(input, init)) : undefined;
    const endpoint = async (): Promise<string> => {
      if (exchange.tokenEndpoint !== undefined) return exchange.tokenEndpoint;
      const value = (await discovery!.metadata()).token_endpoint;
      if (typeof value !== 'string') throw new IssuerUnavailableError(`issuer ${config.issuer} publishes no token_endpoint`);
      return value;
    };
    this.issuers.set(config.issuer, { key, client: new TokenExchangeClient(exchange, { endpoint }) });
  }
}
