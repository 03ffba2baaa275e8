import { resolve } from 'node:path';
import { Spawned, freePort, start, stop, waitFor } from './processes';

const MAIN = resolve(__dirname, '..', '..', 'dist', 'main.js');

export interface Replica {
  nodeId: string;
  port: number;
  baseUrl: string;
  process: Spawned;
  alive: boolean;
}

export interface ReplicaSet {
  replicas: Replica[];
  /** The replicas a load balancer would still send to. */
  live(): Replica[];
  /** SIGKILL, as a crashed pod. */
  kill(replica: Replica): Promise<void>;
  stopAll(): Promise<void>;
}

/** Starts `count` processes of the built platform (`node dist/main.js`), each on a free port, and waits until ready. */
export async function startReplicas(count: number, env: NodeJS.ProcessEnv): Promise<ReplicaSet> {
  const replicas: Replica[] = [];
  const set: ReplicaSet = {
    replicas,
    live: () => replicas.filter((replica) => replica.alive),
    async kill(replica) {
      replica.alive = false;
      replica.process.child.kill('SIGKILL');
      await replica.process.exited;
    },
    async stopAll() {
      await Promise.all(replicas.map((replica) => stop(replica.process)));
    },
  };
  try {
    for (let index = 0; index < count; index += 1) {
      const port = await freePort();
      const nodeId = `replica-${String.fromCharCode(97 + index)}`;
      const child = start(process.execPath, [MAIN], {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        NODE_ID: nodeId,
        ...env,
      });
      replicas.push({ nodeId, port, baseUrl: `http://127.0.0.1:${port}`, process: child, alive: true });
    }
    await Promise.all(
      replicas.map((replica) =>
        waitFor(async () => (await fetch(`${replica.baseUrl}/health/ready`)).status === 200, 30_000, `${replica.nodeId} to be ready`).catch(
          (error: Error) => {
            throw new Error(`${error.message}\n${replica.process.output().slice(-2000)}`);
          },
        ),
      ),
    );
  } catch (error) {
    await set.stopAll();
    throw error;
  }
  return set;
}

/**
 * A `fetch` that sends each request to the next live replica, as a round-robin load
 * balancer without stickiness would. Records which replica served what.
 */
export function roundRobinFetch(set: ReplicaSet, log: Array<{ nodeId: string; method: string }> = []): typeof fetch {
  let next = 0;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const live = set.live();
    const replica = live[next % live.length];
    next += 1;
    const url = new URL(input instanceof Request ? input.url : input.toString());
    url.host = `127.0.0.1:${replica.port}`;
    log.push({ nodeId: replica.nodeId, method: init?.method ?? 'GET' });
    return fetch(url, init);
  }) as typeof fetch;
}
