import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { InvalidJsonRpcException, ParseErrorException, PayloadTooLargeException } from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';

/**
 * Deepest nesting of objects and arrays a body may have. Real MCP messages stay within a
 * dozen levels; far deeper ones (thousands) overflow the stack of any recursive code that
 * copies or serialises them later, so they are refused at the door.
 */
export const MAX_JSON_DEPTH = 64;

/** True for `application/json` with or without parameters. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

/**
 * Reads and parses a JSON-RPC body: 413 over `limit`, -32700 for bad JSON, -32600 for
 * non-JSON-RPC. `parsed` is what the host's body parser already made of it, if it ran first
 * (a host app with Nest's body parser on).
 */
export async function readJsonRpcBody(
  req: IncomingMessage,
  limit: number,
  parsed?: unknown,
  maxBatchSize = Number.MAX_SAFE_INTEGER,
): Promise<JSONRPCMessage | JSONRPCMessage[]> {
  if (parsed !== undefined && !(isEmptyObject(parsed) && !req.readableEnded)) {
    if (valueDeeperThan(parsed, MAX_JSON_DEPTH)) throw new InvalidJsonRpcException(McpMessages.TOO_DEEP(MAX_JSON_DEPTH));
    return toJsonRpcBody(parsed, maxBatchSize);
  }
  let text: string;
  try {
    text = await getRawBody(req, { limit, encoding: 'utf8', length: req.headers['content-length'] });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new PayloadTooLargeException(limit);
    throw new ParseErrorException();
  }
  if (textDeeperThan(text, MAX_JSON_DEPTH)) throw new InvalidJsonRpcException(McpMessages.TOO_DEEP(MAX_JSON_DEPTH));
  let body: unknown;
  try {
    // A `__proto__` key would reach objects that copy keys by assignment: drop it (rare, so
    // the plain parse stays the fast path).
    body = text.includes('"__proto__"') ? JSON.parse(text, withoutProtoKeys) : JSON.parse(text);
  } catch {
    throw new ParseErrorException();
  }
  return toJsonRpcBody(body, maxBatchSize);
}

/** Checks a parsed body: one JSON-RPC message or a non-empty batch of them (-32600 otherwise). */
export function toJsonRpcBody(body: unknown, maxBatchSize = Number.MAX_SAFE_INTEGER): JSONRPCMessage | JSONRPCMessage[] {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new InvalidJsonRpcException(McpMessages.EMPTY_BATCH);
    // Refused before any of it is looked at: a huge batch must not hold the event loop.
    if (body.length > maxBatchSize) throw new InvalidJsonRpcException(McpMessages.BATCH_TOO_LARGE(body.length, maxBatchSize));
    if (!body.every(isJsonRpcMessage)) throw new InvalidJsonRpcException();
    return body as JSONRPCMessage[];
  }
  // A refusal names the request's id where one can be read, so its client can match it.
  if (!isJsonRpcMessage(body)) throw new InvalidJsonRpcException(McpMessages.INVALID_REQUEST, readableId(body));
  return body as JSONRPCMessage;
}

/** Whether JSON text nests objects and arrays deeper than `limit` (brackets inside strings do not count). */
export function textDeeperThan(text: string, limit: number): boolean {
  // Each level takes at least two characters: a short text cannot be deep.
  if (text.length <= limit * 2) return false;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return false;
}

/** Whether a parsed value nests deeper than `limit`, walked without recursion. */
export function valueDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

function withoutProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

function readableId(body: unknown): string | number | null {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' || Number.isInteger(id) ? (id as string | number) : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parsers that did not read the body (a content type they skip) leave `{}` behind. */
function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** A structural check, cheaper than a schema: request, notification, result or error. */
export function isJsonRpcMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return false;
  const id = message.id;
  // Integers only, as the SDK's schema has them: a request with another id would get no answer.
  const validId = typeof id === 'string' || Number.isInteger(id);
  if ('method' in message) {
    if (typeof message.method !== 'string' || message.method === '') return false;
    if ('id' in message && !validId) return false;
    // A request is not also a response; MCP's params are named (an object), and so is `_meta`.
    if ('result' in message || 'error' in message) return false;
    const params = message.params;
    if (params === undefined) return true;
    if (!isPlainObject(params) || Object.prototype.hasOwnProperty.call(params, '__proto__')) return false;
    const meta = params._meta;
    if (meta === undefined) return true;
    if (!isPlainObject(meta)) return false;
    const token = meta.progressToken;
    return token === undefined || typeof token === 'string' || Number.isInteger(token);
  }
  if ('result' in message) return validId && typeof message.result === 'object' && message.result !== null;
  if ('error' in message) return (validId || id === null) && typeof message.error === 'object' && message.error !== null;
  return false;
}
