import { HttpStatus, Injectable } from '@nestjs/common';
import { sessionOwners } from '../../../session';
import { InjectMcpOptions, JSONRPC_ERROR } from '../../mcp.constants';
import { JsonRpcHttpException } from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { McpPorts } from '../../mcp.ports';

/**
 * Caps the live sessions one credential and one tenant may hold, so no caller can fill the
 * store: a new session past a cap is refused (429 with a JSON-RPC error) and nothing is
 * stored. Anonymous callers without a tenant are bounded by the session TTL only.
 */
@Injectable()
export class SessionCaps {
  constructor(
    private readonly ports: McpPorts,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {}

  async assertRoomFor(owner: { principal?: string; tenantId?: string }, requestId: string | number | null = null): Promise<void> {
    const owners = sessionOwners(owner);
    if (owners.length === 0) return;
    const counts = await Promise.all(owners.map((key) => this.ports.sessions.countOwned(key)));
    owners.forEach((key, index) => {
      const limit = key.startsWith('principal:') ? this.options.maxSessionsPerPrincipal : this.options.maxSessionsPerTenant;
      if (counts[index] >= limit) {
        const who = key.startsWith('principal:') ? `credential ${key.slice('principal:'.length)}` : `tenant ${key.slice('tenant:'.length)}`;
        throw new JsonRpcHttpException(
          HttpStatus.TOO_MANY_REQUESTS,
          JSONRPC_ERROR.SERVER_ERROR,
          McpMessages.TOO_MANY_SESSIONS(who, limit),
          { 'Retry-After': '60' },
          requestId,
        );
      }
    });
  }
}
