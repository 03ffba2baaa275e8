import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Express hands Nest Node's own request and response; Fastify wraps them (`.raw`). The MCP
 * edge works on the Node objects, so it runs the same on either adapter.
 */
export function rawRequest(req: unknown): IncomingMessage {
  return ((req as { raw?: IncomingMessage }).raw ?? req) as IncomingMessage;
}

export function rawResponse(res: unknown): ServerResponse {
  return ((res as { raw?: ServerResponse }).raw ?? res) as ServerResponse;
}

/** Sets a response header through the framework (so it survives a framework-sent reply). */
export function setResponseHeader(res: unknown, name: string, value: string | number): void {
  const target = res as { header?: (name: string, value: string | number) => void; setHeader?: (name: string, value: string | number) => void };
  if (typeof target.header === 'function') target.header(name, value);
  else target.setHeader?.(name, value);
}

/** Headers the framework holds for a reply it has not sent (Fastify); none for Express. */
export function pendingHeaders(res: unknown): Record<string, string> {
  const getHeaders = (res as { getHeaders?: () => Record<string, unknown> }).getHeaders;
  if (typeof getHeaders !== 'function' || (res as { raw?: unknown }).raw === undefined) return {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(getHeaders.call(res))) if (value !== undefined) headers[name] = String(value);
  return headers;
}

/**
 * Tells Fastify the handler writes the Node response itself, carrying over the headers set
 * on the reply so far (guards' X-RateLimit-*, Retry-After); nothing for Express.
 */
export function takeOverResponse(res: unknown): void {
  const hijack = (res as { hijack?: () => void }).hijack;
  if (typeof hijack !== 'function') return;
  const raw = rawResponse(res);
  if (!raw.headersSent) for (const [name, value] of Object.entries(pendingHeaders(res))) raw.setHeader(name, value);
  hijack.call(res);
}
