// Load for the legacy HTTP+SSE transport (protocol 2024-11-05), which autocannon cannot drive:
// each client holds one `GET /sse` stream, initializes over `POST /messages?sessionId=`, then
// sends tools/call of echo one after another, each answered on its stream. A round trip is
// from the POST to the answer's arrival on the stream; latencies are kept for percentiles.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const INITIALIZE = (id) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'mcp-bench-legacy', version: '1.0.0' } },
  });
const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}';
const CALL = (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}`;

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One legacy client: its stream, its message endpoint, and the answers it waits for by id. */
class LegacyClient {
  constructor(base, agent) {
    this.base = base;
    this.agent = agent;
    this.waiting = new Map();
    this.buffer = '';
  }

  open() {
    return new Promise((resolve, reject) => {
      const req = http.get(`${this.base}/sse`, { headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /sse answered ${res.statusCode}`));
          res.resume();
          return;
        }
        this.stream = res;
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          this.buffer += chunk;
          let end;
          while ((end = this.buffer.indexOf('\n\n')) >= 0) {
            const frame = this.buffer.slice(0, end);
            this.buffer = this.buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
            const data = frame
              .split('\n')
              .filter((line) => line.startsWith('data: '))
              .map((line) => line.slice(6))
              .join('\n');
            if (event === 'endpoint') {
              this.endpoint = new URL(data, this.base).toString();
              resolve();
            } else if (data.startsWith('{')) {
              const message = JSON.parse(data);
              const waiter = this.waiting.get(message.id);
              if (waiter) {
                this.waiting.delete(message.id);
                waiter(message);
              }
            }
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', reject);
      this.request = req;
    });
  }

  post(body) {
    return new Promise((resolve, reject) => {
      const req = http.request(this.endpoint, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`POST answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends a request and resolves with its answer from the stream. */
  async call(id, body) {
    const answered = new Promise((resolve) => this.waiting.set(id, resolve));
    await this.post(body);
    return answered;
  }

  close() {
    this.request?.destroy();
    this.stream?.destroy();
  }
}

/**
 * Runs `clients` legacy clients against `base` (the server's origin) for `durationSeconds`
 * after `warmupSeconds`, each calling echo back to back.
 * @returns {Promise<{clients:number, seconds:number, roundTrips:number, reqPerSec:number, p50:number|null, p99:number|null, errors:number, badAnswers:number}>}
 */
export async function legacySseRun({ base, clients = 50, durationSeconds = 3, warmupSeconds = 1 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const open = [];
  let id = 1;
  try {
    for (let i = 0; i < clients; i++) {
      const client = new LegacyClient(base, agent);
      await client.open();
      const init = await client.call(id, INITIALIZE(id));
      id++;
      if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
      await client.post(INITIALIZED);
      open.push(client);
    }
    const measure = async (seconds, record) => {
      const until = Date.now() + seconds * 1000;
      const stats = { roundTrips: 0, errors: 0, badAnswers: 0, latencies: [] };
      await Promise.all(
        open.map(async (client) => {
          while (Date.now() < until) {
            const callId = id++;
            const started = performance.now();
            try {
              const answer = await client.call(callId, CALL(callId));
              const ms = performance.now() - started;
              if (answer.result?.content?.[0]?.text === 'hi') {
                stats.roundTrips++;
                if (record) stats.latencies.push(ms);
              } else stats.badAnswers++;
            } catch {
              stats.errors++;
              await sleep(10);
            }
          }
        }),
      );
      return stats;
    };
    if (warmupSeconds > 0) await measure(warmupSeconds, false);
    const started = performance.now();
    const stats = await measure(durationSeconds, true);
    const seconds = (performance.now() - started) / 1000;
    const sorted = stats.latencies.sort((a, b) => a - b);
    return {
      clients,
      seconds,
      roundTrips: stats.roundTrips,
      reqPerSec: stats.roundTrips / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      errors: stats.errors,
      badAnswers: stats.badAnswers,
    };
  } finally {
    for (const client of open) client.close();
    agent.destroy();
  }
}
