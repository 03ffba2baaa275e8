import { existsSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { z } from 'zod';
import { MASK, isSecretName, maskHeaders, maskUrlCredentials } from '../../common/secret-mask';
import { InjectMcpOptions, McpModuleOptions, McpTool, McpToolContext, McpToolError } from '../../mcp';
import { McpRegistry } from '../../mcp/discovery/mcp.registry';
import { RedisConnection } from '../../redis';
import { InjectSessionStore, SessionStore } from '../../session';
import { PLATFORM_VERSION } from '../../version';
import { GOATS } from './goats';
import { bearerToken, decodeJwt, formatBytes, formatDuration, report, section } from './diagnostics.text';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

/**
 * Tools that disclose request headers, tokens or the environment (seed 002 warns they leak
 * information) also need `diagnostics:sensitive`, which `diagnostics:*` includes.
 */
const sensitive = (tool: string) => [`diagnostics:${tool}`, 'diagnostics:sensitive'];

const HEADER_CATEGORIES: Array<{ title: string; test: (name: string) => boolean }> = [
  { title: '🔐 Authentication Headers', test: (n) => /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-|x-user-)/.test(n) },
  { title: '🔧 MCP Protocol Headers', test: (n) => n.startsWith('mcp-') || n === 'last-event-id' },
  { title: '🏢 Tenant Headers', test: (n) => n === 'x-tenant-id' },
  {
    title: '🚀 Proxy Headers',
    test: (n) => n.startsWith('x-forwarded-') || ['x-real-ip', 'forwarded', 'via'].includes(n) || n.startsWith('x-envoy-') || n.startsWith('x-amzn-'),
  },
  {
    title: '🌐 Standard HTTP Headers',
    test: (n) =>
      [
        'host',
        'user-agent',
        'content-type',
        'content-length',
        'accept',
        'accept-encoding',
        'accept-language',
        'connection',
        'origin',
        'referer',
        'cache-control',
      ].includes(n),
  },
];

/** Environment variables the platform reads; shown by environmentDump (secrets masked). */
const PLATFORM_VARIABLES = /^(PORT|HOST|NODE_ID|REDIS_URL|MCP_[A-Z0-9_]+|LOG_LEVEL|LOG_FORMAT)$/;
const RUNTIME_VARIABLES = ['NODE_ENV', 'TZ', 'NODE_OPTIONS', 'HOSTNAME'];

/**
 * The diagnostic tools of seed 002 (`mcp-echo-streamablehttp-server-stateless`), answering
 * from the request's context. Secrets in headers and the environment are masked.
 */
@Injectable()
export class DiagnosticsTools {
  constructor(
    // What the MCP edge runs with (hosts, origins, sessions, node), not the whole config.
    @InjectMcpOptions() private readonly mcp: McpModuleOptions,
    @InjectSessionStore() private readonly sessions: SessionStore,
    private readonly registry: McpRegistry,
    @Optional() @Inject(RedisConnection) private readonly redis?: RedisConnection,
  ) {}

  @McpTool({
    description: 'Echo a message back, optionally upper-cased and/or reversed (connectivity test).',
    input: z.object({
      message: z.string().describe('Message to echo'),
      uppercase: z.boolean().optional().describe('Convert to upper case'),
      reverse: z.boolean().optional().describe('Reverse the message'),
    }),
    annotations: readOnly,
  })
  echo({ message, uppercase, reverse }: { message: string; uppercase?: boolean; reverse?: boolean }): string {
    let text = reverse ? [...message].reverse().join('') : message;
    if (uppercase) text = text.toUpperCase();
    return text;
  }

  @McpTool({
    description: 'Show the HTTP headers of this request by category (secrets masked).',
    annotations: readOnly,
    permissions: sensitive('printHeader'),
  })
  printHeader(_input: object, context: McpToolContext): string {
    const headers = maskHeaders(context.headers);
    const names = Object.keys(headers).sort();
    const used = new Set<string>();
    const sections = HEADER_CATEGORIES.map(({ title, test }) => {
      const mine = names.filter((name) => !used.has(name) && test(name));
      mine.forEach((name) => used.add(name));
      return section(
        `${title}:`,
        mine.map((name) => `${name}: ${headers[name]}`),
      );
    });
    const custom = names.filter((name) => !used.has(name));
    sections.push(
      section(
        '📦 Custom Headers:',
        custom.map((name) => `${name}: ${headers[name]}`),
      ),
    );
    return report(`📋 HTTP Headers Analysis (${names.length} total headers)`, sections);
  }

  @McpTool({
    description: 'Decode a JWT (from the argument or the Authorization header) without verifying it. Debugging only.',
    input: z.object({ token: z.string().optional().describe('JWT to decode; defaults to the Bearer token of this request') }),
    annotations: readOnly,
    permissions: sensitive('bearerDecode'),
  })
  bearerDecode({ token }: { token?: string }, context: McpToolContext): string {
    const jwt = token ?? bearerToken(context.headers.authorization);
    if (!jwt) throw new McpToolError('No token given and no Bearer token in the Authorization header');
    const decoded = decodeJwt(jwt);
    if (!decoded) throw new McpToolError('The token is not a JWT (expected three base64url segments with JSON header and payload)');
    const now = Math.floor(Date.now() / 1000);
    const { payload } = decoded;
    const timeline = (['iat', 'nbf', 'exp'] as const).flatMap((claim) => {
      const value = payload[claim];
      if (typeof value !== 'number') return [];
      const label = { iat: 'Issued At', nbf: 'Not Before', exp: 'Expires' }[claim];
      const relative = value <= now ? `${formatDuration(now - value)} ago` : `in ${formatDuration(value - now)}`;
      return [`${label}: ${new Date(value * 1000).toISOString()} (${value}, ${relative})`];
    });
    if (typeof payload.exp === 'number') timeline.push(`Status: ${payload.exp <= now ? '❌ EXPIRED' : '✅ not expired'}`);
    return report('🔍 JWT Token Analysis (Unverified)', [
      `📄 Header:\n${JSON.stringify(decoded.header, null, 2)}`,
      `📦 Payload:\n${JSON.stringify(payload, null, 2)}`,
      section('⏱️ Token Timeline:', timeline),
      section('⚠️ Security Notice:', [
        'This analysis does NOT verify the token signature.',
        'The token may be forged or tampered with.',
        'Use only for debugging.',
      ]),
    ]);
  }

  @McpTool({
    description: 'Analyse the authentication context of this request: user, token, session, origin.',
    annotations: readOnly,
    permissions: sensitive('authContext'),
  })
  authContext(_input: object, context: McpToolContext): string {
    const h = context.headers;
    const token = bearerToken(h.authorization);
    const jwt = token ? decodeJwt(token) : undefined;
    const credential = token ? 'Bearer' : h['x-api-key'] ? 'API key (X-API-Key)' : h.authorization ? h.authorization.split(' ')[0] : undefined;
    return report('🔐 Authentication Context Analysis', [
      section('👤 User Information:', [
        `User ID: ${context.userId ?? h['x-user-id'] ?? '(none)'}`,
        h['x-user-name'] && `Username: ${h['x-user-name']}`,
        h['x-user-email'] && `Email: ${h['x-user-email']}`,
        h['x-user-roles'] && `Roles: ${h['x-user-roles']}`,
        `Tenant: ${context.tenantId ?? '(none)'}`,
      ]),
      section('🎫 Credential:', [
        `Type: ${credential ?? 'none'}`,
        token && `Length: ${token.length} characters`,
        jwt && `Algorithm: ${String(jwt.header.alg)} (from header)`,
        jwt?.payload.iss !== undefined ? `Issuer: ${String(jwt.payload.iss)}` : undefined,
        jwt?.payload.aud !== undefined ? `Audience: ${JSON.stringify(jwt.payload.aud)}` : undefined,
        jwt?.payload.sub !== undefined ? `Subject: ${String(jwt.payload.sub)}` : undefined,
      ]),
      section('🔑 Session Information:', [
        `Session ID: ${context.sessionId ?? '(none)'}`,
        context.client && `Client: ${context.client.name} v${context.client.version}`,
        `Protocol: ${context.protocolVersion ?? h['mcp-protocol-version'] ?? '(not negotiated)'}`,
      ]),
      section('🌐 Request Context:', [
        `Origin: ${h.origin ?? '(none)'}`,
        `IP Address: ${h['x-forwarded-for']?.split(',')[0].trim() ?? h['x-real-ip'] ?? '(direct)'}`,
        `User Agent: ${h['user-agent'] ?? '(none)'}`,
        `Request ID: ${context.requestId}`,
      ]),
      `${credential ? '✅ Authentication Status: CREDENTIALS PRESENT' : '⚪ Authentication Status: ANONYMOUS'}`,
    ]);
  }

  @McpTool({ description: 'Timing of this request and the resources of the serving process.', annotations: readOnly })
  requestTiming(_input: object, context: McpToolContext): string {
    const elapsedMs = performance.now() - context.receivedAt;
    const startedAt = new Date(Date.now() - elapsedMs);
    const rating = elapsedMs < 50 ? '🟢 Excellent (<50ms)' : elapsedMs < 200 ? '🟡 Good (<200ms)' : '🔴 Slow (>=200ms)';
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (process.uptime() * 1000)) * 100;
    const [one, five, fifteen] = loadavg();
    return report('⏱️ Request Timing Analysis', [
      section('📊 Performance Metrics:', [
        `Request Started: ${startedAt.toISOString()}`,
        `Current Time: ${new Date().toISOString()}`,
        `Processing Duration: ${elapsedMs.toFixed(2)}ms`,
        `Performance Rating: ${rating}`,
      ]),
      section('💻 System Resources:', [
        `CPU Usage (process average): ${cpuPercent.toFixed(1)}% (${cpus().length} cores)`,
        `Memory: RSS ${formatBytes(memory.rss)}, heap ${formatBytes(memory.heapUsed)} / ${formatBytes(memory.heapTotal)}`,
        `System Memory: ${formatBytes(totalmem() - freemem())} / ${formatBytes(totalmem())}`,
        `Node.js Version: ${process.version}`,
        `Platform: ${platform()} ${release()}`,
      ]),
      section('🌡️ Process Stats:', [`Process ID: ${process.pid}`, `Node ID: ${context.nodeId}`, `Uptime: ${formatDuration(process.uptime())}`]),
      section('📈 Load Average:', [`1 min: ${one.toFixed(2)}`, `5 min: ${five.toFixed(2)}`, `15 min: ${fifteen.toFixed(2)}`]),
    ]);
  }

  @McpTool({ description: 'Analyse the CORS headers of this request against the platform’s allowed hosts and origins.', annotations: readOnly })
  corsAnalysis(_input: object, context: McpToolContext): string {
    const h = context.headers;
    const origin = h.origin;
    const { allowedHosts, allowedOrigins } = this.mcp;
    const originHost = origin ? safeHostname(origin) : undefined;
    const allowed =
      origin === undefined ||
      allowedOrigins.includes(origin) ||
      allowedHosts.includes('*') ||
      (originHost !== undefined && allowedHosts.includes(originHost));
    return report('🌐 CORS Analysis', [
      section('📥 Request Headers:', [
        `Origin: ${origin ?? '(none: not a browser cross-origin request)'}`,
        `Access-Control-Request-Method: ${h['access-control-request-method'] ?? '(none)'}`,
        `Access-Control-Request-Headers: ${h['access-control-request-headers'] ?? '(none)'}`,
      ]),
      section('📤 Response Headers (expected from the gateway):', [
        `Access-Control-Allow-Origin: ${origin && allowed ? origin : '(not sent)'}`,
        'Access-Control-Allow-Methods: GET, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers: authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id, x-api-key',
        'Access-Control-Expose-Headers: mcp-session-id, x-request-id',
      ]),
      section('🔍 CORS Status:', [
        origin === undefined ? '⚪ No Origin header' : allowed ? '✅ Origin allowed by the platform' : '❌ Origin refused by the platform (403)',
        `Allowed hosts: ${allowedHosts.join(', ')}`,
        `Allowed origins: ${allowedOrigins.length > 0 ? allowedOrigins.join(', ') : '(only those of allowed hosts)'}`,
      ]),
      section('💡 Recommendations:', [
        'Set CORS response headers at the gateway or ingress.',
        'Allow specific origins, not wildcards.',
        'Expose Mcp-Session-Id so browser clients can keep their session.',
      ]),
    ]);
  }

  @McpTool({
    description: 'Show the platform’s environment configuration with secrets hidden.',
    annotations: readOnly,
    permissions: sensitive('environmentDump'),
  })
  environmentDump(): string {
    const env = process.env;
    const names = Object.keys(env).sort();
    const platformLines = names
      .filter((name) => PLATFORM_VARIABLES.test(name))
      .map((name) => `${name}: ${isSecretName(name) ? `${MASK} (hidden)` : maskUrlCredentials(env[name] ?? '')}`);
    const secretLines = names.filter((name) => isSecretName(name) && !PLATFORM_VARIABLES.test(name)).map((name) => `${name}: ${MASK} (hidden)`);
    const runtimeLines = RUNTIME_VARIABLES.filter((name) => env[name] !== undefined).map((name) => `${name}: ${env[name]}`);
    const inDocker = existsSync('/.dockerenv');
    const inKubernetes = env.KUBERNETES_SERVICE_HOST !== undefined;
    return report('🔧 Environment Configuration (Sanitized)', [
      section('🌟 Platform Configuration:', [
        ...platformLines,
        `(effective) session mode: ${this.mcp.sessionMode}, TTL ${this.mcp.sessionTtlSeconds}s`,
        `(effective) node id: ${this.mcp.nodeId}`,
      ]),
      section('🔐 Sensitive Values (Hidden):', secretLines),
      section('📊 Runtime Environment:', [...runtimeLines, `Node.js: ${process.version}`]),
      section('🐳 Container Detection:', [`Running in Docker: ${inDocker ? '✅ Yes' : '❌ No'}`, `Kubernetes: ${inKubernetes ? '✅ Yes' : '❌ No'}`]),
    ]);
  }

  @McpTool({ description: 'Health report of the serving replica: resources, event loop, session store.', annotations: readOnly })
  async healthProbe(_input: object, context: McpToolContext): Promise<string> {
    const lagMs = await measureEventLoopLag();
    const memory = process.memoryUsage();
    let store: string;
    let storeHealthy = true;
    try {
      const active = await this.sessions.count();
      store = `✅ ${this.redis ? 'Redis' : 'in-memory'} (${active} active sessions)`;
    } catch (error) {
      storeHealthy = false;
      store = `❌ unreachable (${(error as Error).message})`;
    }
    const healthy = storeHealthy && lagMs < 200;
    const { tools, resources, prompts } = this.registry.size;
    return report('🏥 System Health Report', [
      `${healthy ? '✅ Overall Status: HEALTHY' : '⚠️ Overall Status: DEGRADED'}`,
      section('🔋 Resource Usage:', [
        `Memory: RSS ${formatBytes(memory.rss)}, heap ${formatBytes(memory.heapUsed)}`,
        `Load (1 min): ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`,
      ]),
      section('🌡️ Service Health:', [
        'HTTP Server: ✅ Running',
        `Event Loop: ${lagMs < 200 ? '✅ Responsive' : '⚠️ Slow'} (lag ${lagMs.toFixed(1)}ms)`,
        `Session Store: ${store}`,
        `Registry: ${tools} tools, ${resources} resources, ${prompts} prompts`,
      ]),
      section('🔍 Replica:', [`Node ID: ${context.nodeId}`, `Version: ${PLATFORM_VERSION}`, `Uptime: ${formatDuration(process.uptime())}`]),
    ]);
  }

  @McpTool({ description: 'Programming wisdom: who is the greatest of all time? (easter egg)', annotations: { readOnlyHint: true } })
  whoIStheGOAT(): string {
    const goat = GOATS[Math.floor(Math.random() * GOATS.length)];
    return [
      `🐐 Excellence Analysis: ${goat.name}`,
      '',
      `🌟 Why ${goat.name} is the GOAT: ${goat.name} ${goat.why}`,
      '',
      '💡 Key Contributions:',
      ...goat.contributions.map((item) => `• ${item}`),
      '',
      `📖 Wisdom: "${goat.wisdom}"`,
    ].join('\n');
  }
}

function safeHostname(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

function measureEventLoopLag(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => setImmediate(() => resolve(performance.now() - start)));
}
