import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { generateApiKey } from '../src/auth/api-key.generator';
import { GracefulShutdown } from '../src/lifecycle';
import { FAULT_TIMEOUT_MS, FaultTools, FaultToolsModule, MALFORMED_RESULTS, MalformedKind } from './fixtures/fault-tools.module';
import { ConnectedClient, INITIALIZE, RunningPlatform, connectClient, postRaw, readMessages, startPlatform } from './helpers/platform';
import { isTransportError, loadLoops, metricSum } from './helpers/load';
import { freePort, start, stop, waitFor } from './helpers/processes';
import { RedisServer, startRedis, waitForPing } from './helpers/redis';
import { ReplicaSet, startReplicas } from './helpers/replicas';
import { textOf } from './helpers/sse';

/*
 * Faults (CONTRACT.md, "What bad input gets"): tools that throw, hang past their timeout or
 * return malformed results, in this process with the fixture tools; Redis stopped and
 * restarted under steady load, and one of three replicas SIGKILLed under load, with the built
 * app (`node dist/main.js`) in child processes. Every request gets an answer the contract
 * allows (or, on the killed replica only, a transport error its retry recovers from), the
 * processes stay up and nothing is left in flight.
 */

/** A Node stack frame, as it would appear if one leaked into a response. */
const STACK_FRAME = /\n\s+at .*[(\s/\\][^\s()]+:\d+:\d+\)?/;
/** Room on top of a timeout for a loaded machine; only an upper bound, never a speed requirement. */
const SLACK_MS = 5_000;
/** Log lines that tell of an error nobody handled (a 500 on an MCP route, a fatal error). */
const CRASH_WORTHY = /^.*(unhandled|uncaught|"level":60).*$/gim;
/** A request unanswered this long is hung. */
const HANG_MS = 15_000;

type Message = Record<string, unknown> & { id?: unknown; result?: CallToolResult; error?: { code: number; message: string } };

const toolCall = (id: number | string, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** Malformed results the platform passes on as plain values: still a valid answer. */
const PLAIN_VALUES: Partial<Record<MalformedKind, string[]>> = {
  number: ['42'],
  boolean: ['false'],
  null: [],
  undefined: [],
  bigint: [String(2n ** 70n)],
  array: [JSON.stringify([1, 'two', { three: 3 }], null, 2)],
  // An object with a `content` field that is no content list is an ordinary object (a document, say).
  'content not an array': [JSON.stringify({ content: 'just a string' }, null, 2)],
};

describe.each(['stateful', 'stateless'] as const)('tools that throw, hang or return malformed results (%s)', (mode) => {
  let platform: RunningPlatform;
  let connected: ConnectedClient;
  let sessionHeaders: Record<string, string> = {};

  // The platform runs in this process: Jest fails the running test on an unhandled rejection.
  beforeAll(async () => {
    platform = await startPlatform({ sessions: { mode } }, [FaultToolsModule]);
    connected = await connectClient(platform.mcpUrl);
    if (mode === 'stateful') {
      const init = await postRaw(platform.mcpUrl, INITIALIZE);
      sessionHeaders = { 'mcp-session-id': init.headers.get('mcp-session-id')! };
      await init.text();
    }
  }, 30_000);

  afterAll(async () => {
    await connected?.client.close();
    await platform?.close();
  });

  /** A raw tools/call: the one JSON-RPC message that answers it, checked for a stack trace. */
  async function callRaw(id: number | string, name: string, args: Record<string, unknown> = {}): Promise<Message> {
    const response = await postRaw(platform.mcpUrl, toolCall(id, name, args), sessionHeaders);
    expect(response.status).toBe(200);
    const messages = (await readMessages(response)) as Message[];
    expect(JSON.stringify(messages)).not.toMatch(STACK_FRAME);
    const answers = messages.filter((message) => 'result' in message || 'error' in message);
    expect(answers).toHaveLength(1);
    expect(answers[0].id).toBe(id);
    return answers[0];
  }

  it('answers a tool that throws with an error result naming the failure, without the stack', async () => {
    const result = (await connected.client.callTool({ name: 'fault_throw', arguments: { message: 'kaboom' } })) as CallToolResult;

    expect(result).toEqual({ content: [{ type: 'text', text: 'Tool "fault_throw" failed: kaboom' }], isError: true });
  });

  it.each(['string', 'number', 'null', 'undefined', 'object', 'bigint'])(
    'answers a tool that throws a %s (not an Error) with an error result',
    async (kind) => {
      const answer = await callRaw(7, 'fault_throw_value', { kind });

      expect(answer.result).toEqual({ content: [{ type: 'text', text: expect.stringMatching(/^Tool "fault_throw_value" failed: /) }], isError: true });
    },
  );

  it('answers a tool that rejects after a while with an error result', async () => {
    const result = (await connected.client.callTool({ name: 'fault_reject_later', arguments: {} })) as CallToolResult;

    expect(result).toEqual({ content: [{ type: 'text', text: 'Tool "fault_reject_later" failed: rejected later' }], isError: true });
  });

  it('answers a tool that hangs past its timeout within the timeout plus slack, and aborts its signal', async () => {
    const tag = randomUUID();
    const started = Date.now();

    const result = (await connected.client.callTool({ name: 'fault_hang', arguments: { tag } })) as CallToolResult;

    const elapsed = Date.now() - started;
    expect(result).toEqual({ content: [{ type: 'text', text: `Tool "fault_hang" timed out after ${FAULT_TIMEOUT_MS} ms` }], isError: true });
    expect(elapsed).toBeGreaterThanOrEqual(FAULT_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(FAULT_TIMEOUT_MS + SLACK_MS);
    // The tool's signal fired with the timeout as its reason, when the time was up.
    const abort = FaultTools.aborts.get(tag);
    expect(abort).toEqual({ reason: `timed out after ${FAULT_TIMEOUT_MS} ms`, afterMs: expect.any(Number) });
    expect(abort!.afterMs).toBeGreaterThanOrEqual(FAULT_TIMEOUT_MS - 5);
  }, 30_000);

  it('keeps answering the same client and others while a tool hangs, and aborts the tool when the client cancels', async () => {
    const tag = randomUUID();
    const cancel = new AbortController();
    let hangSettled = false;
    const hang = connected.client
      .callTool({ name: 'fault_hang_long', arguments: { tag } }, undefined, { signal: cancel.signal })
      .finally(() => (hangSettled = true));
    await waitFor(() => FaultTools.started.has(tag), 5_000, 'the hanging tool to start');

    await connected.client.ping();
    expect((await connected.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).structuredContent).toEqual({ result: 5 });
    expect((await callRaw('meanwhile', 'multiply', { a: 2, b: 3 })).result?.structuredContent).toEqual({ result: 6 });
    // Its timeout is a minute away: it is still running.
    expect(hangSettled).toBe(false);

    cancel.abort('the user gave up');
    await expect(hang).rejects.toThrow();
    await waitFor(() => FaultTools.aborts.has(tag), 5_000, 'the cancelled tool to see its signal abort');
    expect(FaultTools.aborts.get(tag)!.reason).not.toContain('timed out');
  }, 30_000);

  it('answers many calls that hang at once, each with its own id, and pings meanwhile', async () => {
    const tags = Array.from({ length: 12 }, () => randomUUID());
    const started = Date.now();
    const hangs = tags.map((tag, index) =>
      callRaw(1000 + index, index % 2 ? 'fault_hang' : 'fault_hang_deaf', { tag }).then((answer) => ({ answer, at: Date.now() })),
    );
    await waitFor(() => tags.every((tag) => FaultTools.started.has(tag)), 5_000, 'the hanging tools to start');

    for (let ping = 0; ping < 10; ping += 1) {
      const response = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: `ping-${ping}`, method: 'ping' }, sessionHeaders);
      expect(await readMessages(response)).toEqual([{ jsonrpc: '2.0', id: `ping-${ping}`, result: {} }]);
    }

    for (const [index, { answer, at }] of (await Promise.all(hangs)).entries()) {
      const name = index % 2 ? 'fault_hang' : 'fault_hang_deaf';
      expect(answer.result).toEqual({ content: [{ type: 'text', text: `Tool "${name}" timed out after ${FAULT_TIMEOUT_MS} ms` }], isError: true });
      expect(at - started).toBeLessThan(FAULT_TIMEOUT_MS + SLACK_MS);
    }
    for (const [index, tag] of tags.entries()) if (index % 2) expect(FaultTools.aborts.get(tag)?.reason).toContain('timed out');
  }, 30_000);

  it.each(Object.keys(MALFORMED_RESULTS) as MalformedKind[])('answers a tool returning %s with a clear result for that call', async (kind) => {
    const answer = await callRaw(`malformed-${kind}`, 'fault_malformed', { kind });

    expect(answer.error).toBeUndefined();
    const plain = PLAIN_VALUES[kind];
    if (plain) {
      expect(answer.result).toEqual({ content: plain.map((text) => ({ type: 'text', text })) });
    } else {
      expect(answer.result).toEqual({
        content: [{ type: 'text', text: expect.stringMatching(/^Tool "fault_malformed" returned a malformed result: \S/) }],
        isError: true,
      });
      expect(textOf(answer.result)).not.toContain('\n');
    }
  });

  it('gives the SDK client a result it accepts for every malformed kind', async () => {
    for (const kind of Object.keys(MALFORMED_RESULTS) as MalformedKind[]) {
      const result = (await connected.client.callTool({ name: 'fault_malformed', arguments: { kind } })) as CallToolResult;
      expect(result.isError ?? false).toBe(PLAIN_VALUES[kind] === undefined);
    }
  });

  it('answers a result that breaks the declared output schema with an error result', async () => {
    const result = (await connected.client.callTool({ name: 'fault_bad_output', arguments: {} })) as CallToolResult;

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('does not match its output schema');
  });

  it('leaves nothing in flight behind and stays ready', async () => {
    await waitFor(() => platform.app.get(GracefulShutdown).inFlight === 0, 10_000, 'in-flight requests to finish');
    await waitFor(async () => (await metricSum(platform.baseUrl, 'mcp_active_requests')) === 0, 10_000, 'mcp_active_requests to return to 0');
    expect((await fetch(`${platform.baseUrl}/health/ready`)).status).toBe(200);
  }, 30_000);
});

/** A redis-server that saves on SIGTERM and loads on start, in a temp dir: Redis with persistence. */
async function startPersistentRedis(): Promise<RedisServer & { dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-faults-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '3600 1', '--dir', dir, '--appendonly', 'no', '--daemonize', 'no'];
  const ping = () => waitForPing(port);
  const server = {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: start('redis-server', args, process.env),
    async stop() {
      await stop(server.process);
    },
    async restart() {
      await stop(server.process);
      server.process = start('redis-server', args, process.env);
      await ping();
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await ping();
  return server;
}

/** What one request under load got. */
interface Outcome {
  phase: 'before' | 'down' | 'after';
  status?: number;
  /** Why the answer is not one the contract allows; unset when it is. */
  defect?: string;
}

/**
 * Checks one answer under a Redis outage: 200 with the call's result, or 503 with a JSON-RPC
 * error and Retry-After. Anything else (500, 404 for a live session, a stream without the
 * answer) is a defect.
 */
async function judge(response: Response, id: number): Promise<string | undefined> {
  if (response.status === 503) {
    const body = (await response.json()) as Message;
    if (response.headers.get('retry-after') === null) return '503 without Retry-After';
    if (body.error?.code !== -32000) return `503 without a JSON-RPC error: ${JSON.stringify(body)}`;
    return undefined;
  }
  const text = await response.text();
  if (response.status !== 200) return `${response.status}: ${text.slice(0, 300)}`;
  const answer = text
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Message)
    .find((message) => message.id === id);
  if (!answer?.result) return `200 without the call's result: ${text.slice(0, 300)}`;
  if ((answer.result.structuredContent as { result?: number } | undefined)?.result !== id + 1) return `wrong result: ${JSON.stringify(answer)}`;
  return undefined;
}

describe.each([
  ['stateful, sessions in Redis (which keeps its data)', 'stateful'],
  ['stateless, rate-limit counters in Redis', 'stateless'],
] as const)('Redis stopped and restarted under load: %s', (_title, mode) => {
  const credential = generateApiKey();
  let dir: string;
  let redis: (RedisServer & { dispose?(): void }) | undefined;
  let set: ReplicaSet | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-faults-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `sessions: { mode: ${mode} }`,
        'redis: { commandTimeoutMs: 500 }',
        `auth: { apiKeys: [{ id: load, hash: "${credential.hash}", permissions: ["*"] }] }`,
        'rateLimit: { default: { limit: 1000000, ttlSeconds: 60 } }',
        '',
      ].join('\n'),
    );
    redis = mode === 'stateful' ? await startPersistentRedis() : await startRedis();
    set = await startReplicas(1, { REDIS_URL: redis.url, MCP_CONFIG: config });
  }, 60_000);

  afterAll(async () => {
    await set?.stopAll();
    await redis?.stop();
    redis?.dispose?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request 200 or 503 with Retry-After, turns readiness 503 and back, and recovers without a restart', async () => {
    const [server] = set!.replicas;
    const mcpUrl = `${server.baseUrl}/mcp`;
    const auth = { 'x-api-key': credential.key };
    const ready = async () => (await fetch(`${server.baseUrl}/health/ready`)).status;

    const workers = 8;
    const sessions: Array<Record<string, string>> = [];
    for (let worker = 0; worker < workers; worker += 1) {
      if (mode === 'stateless') {
        sessions.push(auth);
        continue;
      }
      const init = await postRaw(mcpUrl, INITIALIZE, auth);
      expect(init.status).toBe(200);
      sessions.push({ ...auth, 'mcp-session-id': init.headers.get('mcp-session-id')! });
      await init.text();
    }

    let phase: Outcome['phase'] = 'before';
    let running = true;
    const outcomes: Outcome[] = [];
    const load = loadLoops(
      workers,
      () => running,
      async (worker, iteration) => {
        const id = worker * 1_000_000 + iteration;
        const at = phase;
        try {
          const response = await fetch(mcpUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...sessions[worker] },
            body: JSON.stringify(toolCall(id, 'add', { a: id, b: 1 })),
            signal: AbortSignal.timeout(HANG_MS),
          });
          outcomes.push({ phase: at, status: response.status, defect: await judge(response, id) });
          // A client honours Retry-After (shortened here to keep the test short).
          if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
        } catch (error) {
          outcomes.push({ phase: at, defect: `no answer: ${String(error)} ${String((error as Error).cause ?? '')}` });
        }
      },
    );

    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      phase = 'down';
      await redis!.stop();
      await waitFor(async () => (await ready()) === 503, 10_000, 'readiness to turn 503');
      expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await redis!.restart();
      await waitFor(async () => (await ready()) === 200, 15_000, 'readiness to recover');
      phase = 'after';
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      running = false;
      await load;
    }

    expect(outcomes.filter((outcome) => outcome.defect)).toEqual([]);
    const count = (at: Outcome['phase'], status: number) => outcomes.filter((outcome) => outcome.phase === at && outcome.status === status).length;
    expect(count('before', 200)).toBeGreaterThan(0);
    expect(count('down', 503)).toBeGreaterThan(0);
    // Once readiness is back, every request is served again.
    expect(count('after', 200)).toBeGreaterThan(0);
    expect(count('after', 503)).toBe(0);

    // The process never went down, and logged no crash-worthy error.
    expect(server.process.child.exitCode).toBeNull();
    expect(server.process.output().match(CRASH_WORTHY) ?? []).toEqual([]);

    // Old sessions (Redis kept them) and new ones work; nothing is left in flight.
    for (const [worker, headers] of sessions.entries()) {
      const response = await postRaw(mcpUrl, toolCall(worker, 'add', { a: worker, b: 1 }), headers);
      expect(await judge(response, worker)).toBeUndefined();
    }
    if (mode === 'stateful') {
      const init = await postRaw(mcpUrl, INITIALIZE, auth);
      expect(init.status).toBe(200);
      const fresh = { ...auth, 'mcp-session-id': init.headers.get('mcp-session-id')! };
      await init.text();
      expect(await judge(await postRaw(mcpUrl, toolCall(41, 'add', { a: 41, b: 1 }), fresh), 41)).toBeUndefined();
    }
    await waitFor(async () => (await metricSum(server.baseUrl, 'mcp_active_requests')) === 0, 10_000, 'mcp_active_requests to return to 0');
  }, 60_000);
});

describe('a replica SIGKILLed under load (three replicas, one Redis)', () => {
  let redis: RedisServer | undefined;
  let set: ReplicaSet | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    set = await startReplicas(3, { REDIS_URL: redis.url });
  }, 60_000);

  afterAll(async () => {
    await set?.stopAll();
    await redis?.stop();
  });

  it('serves every session from the survivors: only requests in flight on the killed one fail, at the transport level, and their retry succeeds', async () => {
    const replicas = set!.replicas;
    const victim = replicas[0];
    /** The replica a load balancer sends a client to: its home while alive, else a survivor. */
    const route = (home: number) => (replicas[home].alive ? replicas[home] : set!.live()[home % set!.live().length]);
    let killedAt = Infinity;
    const defects: string[] = [];
    const cut: string[] = [];
    const servedBy = new Map<string, number>();

    // Raw callers: a session each, opened on their home replica; slow calls, so some are in flight at the kill.
    const rawSessions: Array<{ home: number; sessionId: string }> = [];
    for (let worker = 0; worker < 9; worker += 1) {
      const home = worker % 3;
      const init = await postRaw(`${replicas[home].baseUrl}/mcp`, INITIALIZE);
      rawSessions.push({ home, sessionId: init.headers.get('mcp-session-id')! });
      await init.text();
    }
    const rawCall = async (worker: number, id: number): Promise<void> => {
      const { home, sessionId } = rawSessions[worker];
      const replica = route(home);
      const response = await fetch(`${replica.baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
        body: JSON.stringify(toolCall(id, 'generate_numbers', { count: 3, delayMs: 20 })),
        signal: AbortSignal.timeout(HANG_MS),
      });
      const messages = (await readMessages(response)) as Message[];
      const answer = messages.find((message) => message.id === id);
      if (response.status !== 200 || !answer?.result || answer.result.isError) {
        defects.push(`raw ${worker} on ${replica.nodeId}: ${response.status} ${JSON.stringify(messages).slice(0, 300)}`);
      }
      servedBy.set(replica.nodeId, (servedBy.get(replica.nodeId) ?? 0) + 1);
    };

    // SDK clients, each sent to its home replica by its own fetch (a load balancer without stickiness would do no better).
    const sdkClients = await Promise.all(
      [0, 1, 2, 0, 1, 2].map(async (home) => {
        const client = new Client({ name: 'faults', version: '1.0.0' });
        const routed = (async (input: string | URL | Request, init?: RequestInit) => {
          const url = new URL(input instanceof Request ? input.url : input.toString());
          url.host = `127.0.0.1:${route(home).port}`;
          return fetch(url, init);
        }) as typeof fetch;
        const transport = new StreamableHTTPClientTransport(new URL(`${replicas[home].baseUrl}/mcp`), { fetch: routed });
        await client.connect(transport);
        return { client, transport, sessionId: transport.sessionId!, home };
      }),
    );
    const sdkCall = async (worker: number, id: number): Promise<void> => {
      const { client } = sdkClients[worker];
      const result = (await client.callTool({ name: 'add', arguments: { a: id, b: 1 } }, undefined, { timeout: 5_000 })) as CallToolResult;
      if (result.structuredContent?.result !== id + 1) defects.push(`sdk ${worker}: ${JSON.stringify(result)}`);
    };

    /** One call; if it fails below HTTP and may have been on the victim when it died, once more (on a survivor). */
    const attempt = async (label: string, call: () => Promise<void>): Promise<void> => {
      const started = Date.now();
      try {
        await call();
      } catch (error) {
        // The SDK client waits for the answer on a stream the dead replica can no longer send; it gives up at its timeout.
        const cutOff = isTransportError(error) || /Request timed out/.test(String(error));
        if (!cutOff || started > killedAt) {
          defects.push(`${label}: ${String(error)}`);
          return;
        }
        cut.push(label);
        try {
          await call();
        } catch (retryError) {
          defects.push(`${label} retried: ${String(retryError)}`);
        }
      }
    };

    let running = true;
    const load = Promise.all([
      loadLoops(
        9,
        () => running,
        (worker, iteration) => attempt(`raw ${worker}#${iteration}`, () => rawCall(worker, iteration)),
      ),
      loadLoops(
        6,
        () => running,
        (worker, iteration) => attempt(`sdk ${worker}#${iteration}`, () => sdkCall(worker, iteration)),
      ),
    ]);
    try {
      await waitFor(() => replicas.every((replica) => (servedBy.get(replica.nodeId) ?? 0) >= 5), 10_000, 'every replica to serve');
      killedAt = Date.now();
      await set!.kill(victim);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      running = false;
      await load;
    }

    expect(defects).toEqual([]);
    expect(victim.process.child.signalCode).toBe('SIGKILL');
    // The kill cut requests in flight on the victim, and their retries succeeded (no defect above).
    expect(cut.length).toBeGreaterThan(0);

    // No session lost: each is still in Redis and served by every survivor.
    const probe = new Redis(redis!.url);
    try {
      for (const sessionId of [...rawSessions.map((session) => session.sessionId), ...sdkClients.map((sdk) => sdk.sessionId)]) {
        expect(await probe.exists(`mcp:{${sessionId}}:session`)).toBe(1);
        for (const survivor of set!.live()) {
          const response = await postRaw(`${survivor.baseUrl}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': sessionId });
          expect(response.status).toBe(200);
          await response.text();
        }
      }
    } finally {
      probe.disconnect();
    }
    // The SDK clients whose replica died go on with the same session.
    for (const sdk of sdkClients) {
      expect(sdk.transport.sessionId).toBe(sdk.sessionId);
      expect((await sdk.client.callTool({ name: 'multiply', arguments: { a: 3, b: 4 } })).structuredContent).toEqual({ result: 12 });
    }
    await Promise.all(sdkClients.map((sdk) => sdk.client.close()));

    for (const survivor of set!.live()) {
      expect(survivor.process.child.exitCode).toBeNull();
      expect(survivor.process.output().match(CRASH_WORTHY) ?? []).toEqual([]);
      await waitFor(async () => (await metricSum(survivor.baseUrl, 'mcp_active_requests')) === 0, 10_000, `${survivor.nodeId} to finish its requests`);
    }
  }, 60_000);
});
