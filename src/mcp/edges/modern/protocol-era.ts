import type { IncomingMessage } from 'node:http';
import { PROTOCOL_VERSION_META_KEY, SUPPORTED_PROTOCOL_VERSIONS, classifyInboundRequest } from '@modelcontextprotocol/server';
import type { ProtocolMode } from '../../mcp-module-options.interface';
import { MODERN_PROTOCOL_VERSION } from './modern-server.factory';

/** Which edge serves a request: the 2025 one (sessions, v1 SDK) or the 2026-07-28 one (v2 SDK). */
export type ProtocolEra = 'legacy' | 'modern';

const LEGACY_VERSIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);

/** Whether a message claims 2026-07-28: `params._meta` names its protocol version. */
function claims(message: unknown): boolean {
  const meta = (message as { params?: { _meta?: unknown } } | null)?.params?._meta;
  return typeof meta === 'object' && meta !== null && Object.prototype.hasOwnProperty.call(meta, PROTOCOL_VERSION_META_KEY);
}

function claimedVersion(message: unknown): unknown {
  const meta = (message as { params?: { _meta?: unknown } } | null)?.params?._meta;
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)[PROTOCOL_VERSION_META_KEY] : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Classifies a request the way the v2 SDK does: one whose `params._meta` carries the
 * protocol version is 2026-07-28 (so are the requests the SDK refuses as a 2026 request
 * gone wrong: a 2026 header without the claim, a claim in a batch; it answers those);
 * `initialize`, GET, DELETE, notifications and the rest are the 2025 leg. A request that
 * claims nothing and names no 2026 header takes the fast path: the SDK's full
 * classification (a schema parse) runs only for the few others.
 */
export function protocolEra(req: IncomingMessage, body: unknown, mode: ProtocolMode): ProtocolEra {
  if (mode !== 'dual') return mode;
  if (req.method !== 'POST') return 'legacy';
  const version = header(req, 'mcp-protocol-version');
  // The common 2026 request: header and envelope agree on this revision, one message.
  if (version === MODERN_PROTOCOL_VERSION && !Array.isArray(body) && claimedVersion(body) === MODERN_PROTOCOL_VERSION) return 'modern';
  const claimed = Array.isArray(body) ? body.some(claims) : claims(body);
  if (!claimed && (version === undefined || LEGACY_VERSIONS.has(version))) return 'legacy';
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: version,
    mcpMethodHeader: header(req, 'mcp-method'),
    mcpNameHeader: header(req, 'mcp-name'),
    body,
  });
  return outcome.kind === 'legacy' ? 'legacy' : 'modern';
}
