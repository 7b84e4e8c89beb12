import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabasePlan } from './cluster-registry.ts';
import { forwardBuffered, type BodyLimits, type BufferedAnswer, type ForwardFailure } from './forward.ts';

/**
 * Collection requests through a coordinator: the leader answers (the body read within the
 * coordinator's `bodies` limits), the coordinator adds what a OneShard database reports
 * (`numberOfShards: 1`, `replicationFactor`, `writeConcern`, `shardKeys: ["_key"]`, `sharding: "single"`)
 * and answers `/shards` itself (shard `s<collection id>`, leader first). `send` reaches the leader
 * across a failover. `plan` is read after the answer (a failover may have changed it).
 */
export async function collectionRequest(
  req: IncomingMessage,
  res: ServerResponse,
  plan: () => DatabasePlan | undefined,
  path: string,
  url: string,
  bodies: BodyLimits,
  send: (attempt: (endpoint: string) => Promise<{ value: BufferedAnswer } | ForwardFailure>) => Promise<BufferedAnswer>,
): Promise<void> {
  const shards = /^\/_api\/collection\/[^/]+\/shards$/.test(path) && req.method === 'GET';
  const target = shards ? url.replace(/\/shards(\?.*)?$/, '') : url;
  const answer = await forwardBuffered(req, target, bodies, send);
  const body = answer.body;
  const p = plan();
  let out: Buffer = answer.raw;
  if (answer.status < 300 && p !== undefined && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (shards) {
      const shard = `s${String(b['id'])}`;
      const servers = [p.leader, ...p.followers];
      const details = /[?&]details=(true|1)/.test(url);
      out = Buffer.from(JSON.stringify({ error: false, code: 200, ...b, shards: details ? { [shard]: servers } : [shard] }));
    } else if (typeof b['name'] === 'string' && b['id'] !== undefined) {
      out = Buffer.from(JSON.stringify({ ...b, numberOfShards: 1, replicationFactor: p.replicationFactor, writeConcern: p.writeConcern, minReplicationFactor: p.writeConcern, shardKeys: ['_key'], sharding: 'single', shardingStrategy: 'hash', isSmart: false }));
    }
  }
  res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': String(out.length) });
  res.end(out);
}
