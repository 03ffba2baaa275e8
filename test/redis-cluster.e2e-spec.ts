import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { RedisCluster, startRedisCluster } from './helpers/redis';
import { ReplicaSet, roundRobinFetch, startReplicas } from './helpers/replicas';

describe('replicas on a Redis Cluster (3 masters)', () => {
  let cluster: RedisCluster;
  let set: ReplicaSet;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    set = await startReplicas(2, { REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: cluster.nodes.join(',') });
  }, 90_000);

  afterAll(async () => {
    await set?.stopAll();
    await cluster?.stop();
  });

  it('serves sessions across replicas with keys spread over the cluster’s slots', async () => {
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const client = new Client({ name: 'cluster-client', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(`${set.replicas[0].baseUrl}/mcp`), { fetch: roundRobinFetch(set) }));
        return client;
      }),
    );
    try {
      for (const [index, client] of clients.entries()) {
        await client.setLoggingLevel('error');
        const result = await client.callTool({ name: 'add', arguments: { a: index, b: 10 } });
        expect(result.structuredContent).toEqual({ result: index + 10 });
        const progress: number[] = [];
        await client.callTool({ name: 'generate_numbers', arguments: { count: 2, delayMs: 20 } }, undefined, {
          onprogress: (update) => progress.push(update.progress),
        });
        expect(progress).toEqual([1, 2]);
      }
      const health = (await (await fetch(`${set.replicas[1].baseUrl}/health`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(health)).toContain('replica-b');
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
