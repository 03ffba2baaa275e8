// What `npm run bench` measures: the servers it starts (baselines, peers, the platform in
// each configuration) and the rows of its table (a load against one of those servers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_HEADERS,
  MODERN_HEADERS,
  PROTOCOL_VERSION,
  callBody,
  checkEcho,
  checkList,
  headerValue,
  initializeBody,
  isEchoResult,
  isToolList,
  listBody,
  modernCallBody,
  openSession,
  parseMcpMessage,
  post,
} from './mcp.mjs';

/**
 * The Node flags the image runs the platform with (the Dockerfile's last CMD, between `node`
 * and `dist/main.js`): the bench measures the platform as it ships.
 */
export function imageNodeArgs(root) {
  const commands = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^CMD\s+(\[.*\])\s*$/gm)];
  const command = commands.length ? JSON.parse(commands.at(-1)[1]) : [];
  const main = command.indexOf('dist/main.js');
  return command[0] === 'node' && main > 0 ? command.slice(1, main) : [];
}

/** Environment of a platform server under test: request logs and the audit trail off, as the baselines write nothing per request. */
export const platformEnv = (port, extra) => ({
  HTTP_ADAPTER: 'express',
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  MCP_AUDIT_ENABLED: 'false',
  NODE_ID: 'bench',
  MCP_SHUTDOWN_GRACE_SECONDS: '2',
  ...extra,
});

let sequence = 1; // JSON-RPC ids: unique across the whole run (one session sees many in flight)

export const ADAPTERS = { express: 'Express', fastify: 'Fastify' };
export const MODES = { stateless: 'stateless', memory: 'stateful, memory store', redis: 'stateful, Redis' };
export const PROTOCOLS = { 2025: '2025-11-25', 2026: '2026-07-28' };

/**
 * Servers, by id. `script` (relative to the root) or `platform: true` (dist/main.js with
 * the bench's platform environment); `redis` gives it the run's Redis; `peers` needs the
 * bench/peers tree; `ready` says how to tell it is up.
 */
export function serverSpecs() {
  const specs = {
    raw: { script: 'bench/servers/raw-http.mjs', probe: 'call' },
    'nest-express': { script: 'bench/servers/nest-bare.mjs', env: { HTTP_ADAPTER: 'express' }, probe: 'call' },
    'nest-fastify': { script: 'bench/servers/nest-bare.mjs', env: { HTTP_ADAPTER: 'fastify' }, probe: 'call' },
    'sdk-stateless': { script: 'bench/servers/sdk-stateless.mjs', probe: 'call' },
    'sdk-stateful': { script: 'bench/servers/sdk-stateful.mjs', probe: 'initialize' },
    'sdk-v2': { script: 'bench/servers/sdk-v2.mjs', probe: 'modern' },
    rekog: { script: 'bench/peers/rekog-mcp-nest.mjs', peers: true, probe: 'call' },
    'list-100': { script: 'bench/servers/hundred-tools.mjs', platformEnv: true, env: { MCP_SESSION_MODE: 'stateless' } },
  };
  for (const adapter of Object.keys(ADAPTERS)) {
    for (const mode of Object.keys(MODES)) {
      specs[`${adapter}-${mode}`] = {
        platform: true,
        redis: mode === 'redis',
        env: { HTTP_ADAPTER: adapter, MCP_SESSION_MODE: mode === 'stateless' ? 'stateless' : 'stateful' },
      };
    }
  }
  return specs;
}

/** tools/call of echo with a fresh id each request, every body checked. */
function callLoad(extraHeaders = {}, body = callBody) {
  return {
    headers: { ...BASE_HEADERS, ...extraHeaders },
    requests: [{ method: 'POST', path: '/mcp', setupRequest: (request) => ({ ...request, body: body(++sequence) }) }],
    verifyBody: isEchoResult,
  };
}

async function checkModernEcho(url) {
  const answer = await post(url, modernCallBody(1), MODERN_HEADERS);
  const message = answer.status === 200 ? parseMcpMessage(answer.text, answer.contentType) : undefined;
  if (message?.result?.content?.[0]?.text !== 'hi' || message.result.resultType !== 'complete') {
    throw new Error(`2026-07-28 echo failed: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  return { contentType: answer.contentType.split(';')[0] };
}

const echo2025 = async ({ url }) => ({ note: (await checkEcho(url)).contentType, load: callLoad() });
const echo2026 = async ({ url }) => ({ note: (await checkModernEcho(url)).contentType, load: callLoad(MODERN_HEADERS, modernCallBody) });
const echoInSession = async ({ url }) => {
  const session = await openSession(url);
  return { note: `${(await checkEcho(url, session)).contentType}, one session`, load: callLoad(session) };
};

/**
 * The rows. `kind`: `load` (autocannon), `churn` (autocannon request sequence), `legacy`
 * (the legacy SSE load). `group` orders the table.
 */
export function targetSpecs() {
  const rows = [
    { key: 'raw', group: 'baseline', label: 'raw node:http JSON-RPC responder', server: 'raw', prepare: echo2025 },
    { key: 'nest-express', group: 'baseline', label: 'bare Nest, Express (no MCP)', server: 'nest-express', prepare: echo2025 },
    { key: 'nest-fastify', group: 'baseline', label: 'bare Nest, Fastify (no MCP)', server: 'nest-fastify', prepare: echo2025 },
    { key: 'sdk-stateless', group: 'peer', label: 'SDK v1 stateless example, Express, 2025', server: 'sdk-stateless', prepare: echo2025 },
    { key: 'sdk-stateful', group: 'peer', label: 'SDK v1 stateful example, Express, 2025', server: 'sdk-stateful', prepare: echoInSession },
    { key: 'sdk-v2', group: 'peer', label: 'SDK v2 createMcpHandler, 2026-07-28', server: 'sdk-v2', prepare: echo2026 },
    { key: 'rekog', group: 'peer', label: '@rekog/mcp-nest 2.0.5, stateless, 2025', server: 'rekog', prepare: echo2025 },
  ];
  for (const adapter of Object.keys(ADAPTERS)) {
    for (const mode of Object.keys(MODES)) {
      for (const protocol of Object.keys(PROTOCOLS)) {
        const session = mode !== 'stateless' && protocol === '2025';
        rows.push({
          key: `${adapter}-${mode}-${protocol}`,
          group: 'platform',
          adapter,
          mode,
          protocol,
          label: `platform ${ADAPTERS[adapter]}, ${MODES[mode]}, ${PROTOCOLS[protocol]}`,
          server: `${adapter}-${mode}`,
          prepare: protocol === '2026' ? echo2026 : session ? echoInSession : echo2025,
        });
      }
    }
  }
  for (const adapter of Object.keys(ADAPTERS)) {
    rows.push({
      key: `churn-${adapter}`,
      group: 'sessions',
      kind: 'churn',
      adapter,
      label: `platform ${ADAPTERS[adapter]}, Redis: session churn (initialize + call + DELETE)`,
      server: `${adapter}-redis`,
      prepare: async ({ url }) => {
        const session = await openSession(url);
        await checkEcho(url, session);
        const deleted = await fetch(url, { method: 'DELETE', headers: session });
        if (deleted.status !== 200) throw new Error(`DELETE answered ${deleted.status}`);
        return { load: churnLoad() };
      },
    });
  }
  rows.push({
    key: 'legacy-sse',
    group: 'sessions',
    kind: 'legacy',
    label: 'platform Express, memory store: legacy SSE round trip (2024-11-05)',
    server: 'express-memory',
    prepare: async () => ({ note: 'GET /sse + POST /messages' }),
  });
  rows.push({
    key: 'list-100',
    group: 'lists',
    label: 'platform Express, stateless: tools/list of 100 tools',
    server: 'list-100',
    prepare: async ({ url }) => {
      const { tools, bytes } = await checkList(url);
      if (tools !== 100) throw new Error(`expected 100 tools, tools/list returned ${tools}`);
      return {
        note: `${(bytes / 1024).toFixed(1)} KiB`,
        load: {
          headers: { ...BASE_HEADERS },
          requests: [{ method: 'POST', path: '/mcp', setupRequest: (request) => ({ ...request, body: listBody(++sequence) }) }],
          verifyBody: isToolList,
        },
      };
    },
  });
  return rows;
}

/**
 * Session churn as an autocannon request sequence per connection: initialize (keep the
 * session id in the connection's context), tools/call with it, DELETE it. A session counts
 * only when all three answered as they should; every failure is counted by step.
 */
export function churnLoad() {
  const counts = { sessions: 0, initializeFailed: 0, callFailed: 0, deleteFailed: 0 };
  const withSession = (request, context) => ({
    ...request,
    headers: { ...request.headers, 'mcp-session-id': context.sessionId ?? 'missing', 'mcp-protocol-version': PROTOCOL_VERSION },
  });
  return {
    counts,
    headers: { ...BASE_HEADERS },
    requests: [
      {
        method: 'POST',
        path: '/mcp',
        setupRequest: (request) => ({ ...request, body: initializeBody(++sequence) }),
        onResponse: (status, body, context, headers) => {
          context.sessionId = headerValue(headers, 'mcp-session-id');
          context.ok = status === 200 && Boolean(context.sessionId) && body.includes('"protocolVersion"');
          if (!context.ok) counts.initializeFailed++;
        },
      },
      {
        method: 'POST',
        path: '/mcp',
        setupRequest: (request, context) => ({ ...withSession(request, context), body: callBody(++sequence) }),
        onResponse: (status, body, context) => {
          const ok = status === 200 && isEchoResult(body);
          if (!ok) counts.callFailed++;
          context.ok = context.ok && ok;
        },
      },
      {
        method: 'DELETE',
        path: '/mcp',
        setupRequest: (request, context) => {
          const { headers } = withSession(request, context);
          delete headers['content-type'];
          return { ...request, headers, body: undefined };
        },
        onResponse: (status, _body, context) => {
          if (status !== 200) counts.deleteFailed++;
          else if (context.ok) counts.sessions++;
        },
      },
    ],
  };
}

/** The request a server must answer 200 before it counts as up. */
export async function probeServer(url, probe) {
  if (probe === 'initialize') return (await post(url, initializeBody(0))).status === 200;
  if (probe === 'modern') return (await post(url, modernCallBody(0), MODERN_HEADERS)).status === 200;
  return (await post(url, callBody(0))).status === 200;
}
