import { ForbiddenHostException } from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';

/**
 * DNS-rebinding protection for MCP routes: the Host must be an allowed host name, and a
 * browser's Origin must be allowed too. `*` in `allowedHosts` turns the Host check off.
 */
export class HostOriginValidator {
  private readonly anyHost: boolean;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(allowedHosts: string[], allowedOrigins: string[]) {
    this.anyHost = allowedHosts.includes('*');
    this.hosts = new Set(allowedHosts.map((host) => host.toLowerCase()));
    this.origins = new Set(allowedOrigins.map((origin) => origin.toLowerCase().replace(/\/$/, '')));
  }

  assertAllowed(host: string | undefined, origin: string | undefined): void {
    if (!this.anyHost) {
      const hostname = host ? hostnameOf(`http://${host}`) : undefined;
      if (!hostname || !this.hosts.has(hostname)) throw new ForbiddenHostException(McpMessages.INVALID_HOST(host ?? ''));
    }
    if (origin === undefined || this.origins.has(origin.toLowerCase())) return;
    if (this.anyHost && this.origins.size === 0) return;
    const originHost = hostnameOf(origin);
    if (!originHost || this.anyHost || !this.hosts.has(originHost)) {
      throw new ForbiddenHostException(McpMessages.INVALID_ORIGIN(origin));
    }
  }
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
