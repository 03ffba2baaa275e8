// MCP requests for the bench: bodies, headers, one-off calls with fetch, session setup.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

export const PROTOCOL_VERSION = LATEST_PROTOCOL_VERSION;

export const BASE_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

const CALL_HEAD = '{"jsonrpc":"2.0","id":';
const CALL_TAIL = ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}';
/** tools/call of `echo` with {message:"hi"}. */
export const callBody = (id) => CALL_HEAD + id + CALL_TAIL;
const MODERN_TAIL =
  ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}';
/** The same call at revision 2026-07-28: the envelope in `_meta`, no session. */
export const modernCallBody = (id) => CALL_HEAD + id + MODERN_TAIL;
/** Headers a 2026-07-28 tools/call of `echo` must carry. */
export const MODERN_HEADERS = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
export const listBody = (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/list"}`;
export const initializeBody = (id) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcp-bench', version: '1.0.0' } },
  });
export const INITIALIZED_BODY = '{"jsonrpc":"2.0","method":"notifications/initialized"}';

/** Cheap per-response checks used during the load (every body is checked). */
export const isEchoResult = (body) => body.includes('"text":"hi"') && !body.includes('"isError":true') && !body.includes('"error":');
export const isToolList = (body) => body.includes('"tools":[') && !body.includes('"error":');

/** The JSON-RPC message of a JSON or SSE answer (the last `data:` line holding a JSON object with an id). */
export function parseMcpMessage(text, contentType = '') {
  if (contentType.includes('text/event-stream')) {
    let found;
    for (const line of text.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (!data.startsWith('{')) continue;
      const message = JSON.parse(data);
      if ('result' in message || 'error' in message) found = message;
    }
    return found;
  }
  return text.trim() === '' ? undefined : JSON.parse(text);
}

export async function post(url, body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...BASE_HEADERS, ...headers },
    body,
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, contentType: response.headers.get('content-type') ?? '' };
}

/** One tools/call of echo; throws unless it is a 200 whose result text is "hi". */
export async function checkEcho(url, headers = {}) {
  const answer = await post(url, callBody(1), headers);
  const message = answer.status === 200 ? parseMcpMessage(answer.text, answer.contentType) : undefined;
  const text = message?.result?.content?.[0]?.text;
  if (answer.status !== 200 || text !== 'hi' || message.result.isError) {
    throw new Error(`tools/call echo check failed: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  return { contentType: answer.contentType.split(';')[0] };
}

/** One tools/list; returns the tool count. */
export async function checkList(url, headers = {}) {
  const answer = await post(url, listBody(1), headers);
  const message = answer.status === 200 ? parseMcpMessage(answer.text, answer.contentType) : undefined;
  if (!Array.isArray(message?.result?.tools)) {
    throw new Error(`tools/list check failed: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  return { tools: message.result.tools.length, bytes: Buffer.byteLength(answer.text) };
}

/** initialize + notifications/initialized; returns the headers a client then sends. */
export async function openSession(url) {
  const init = await post(url, initializeBody(0));
  const sessionId = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !sessionId) throw new Error(`initialize failed: HTTP ${init.status} ${init.text.slice(0, 300)}`);
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION };
  const ready = await post(url, INITIALIZED_BODY, headers);
  if (ready.status !== 202) throw new Error(`notifications/initialized: HTTP ${ready.status} ${ready.text.slice(0, 300)}`);
  return headers;
}

/** Header lookup in autocannon's raw header object (names keep the server's case). */
export function headerValue(headers, name) {
  for (const key of Object.keys(headers ?? {})) {
    if (key.toLowerCase() === name) {
      const value = headers[key];
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}
