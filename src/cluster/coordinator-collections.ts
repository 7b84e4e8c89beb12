import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabasePlan, ServerRecord } from './cluster-registry.ts';
import { forwardBuffered, type BodyLimits } from './forward.ts';

/**
 * Collection requests through a coordinator: the leader answers (the body read within the
 * coordinator's `bodies` limits), the coordinator adds what a OneShard database reports
 * (`numberOfShards: 1`, `replicationFactor`, `writeConcern`, `shardKeys: ["_key"]`, `sharding: "single"`)
 * and answers `/shards` itself (shard `s<collection id>`, leader first).
 */
export async function collectionRequest(req: IncomingMessage, res: ServerResponse, leader: ServerRecord, plan: DatabasePlan | undefined, path: string, url: string, bodies: BodyLimits): Promise<void> {
  const shards = /^\/_api\/collection\/[^/]+\/shards$/.test(path) && req.method === 'GET';
  const target = shards ? url.replace(/\/shards(\?.*)?$/, '') : url;
  const answer = await forwardBuffered(req, leader.endpoint, target, bodies);
  const body = answer.body;
  let out: Buffer = answer.raw;
  if (answer.status < 300 && plan !== undefined && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (shards) {
      const shard = `s${String(b['id'])}`;
      const servers = [plan.leader, ...plan.followers];
      const details = /[?&]details=(true|1)/.test(url);
      out = Buffer.from(JSON.stringify({ error: false, code: 200, ...b, shards: details ? { [shard]: servers } : [shard] }));
    } else if (typeof b['name'] === 'string' && b['id'] !== undefined) {
      out = Buffer.from(JSON.stringify({ ...b, numberOfShards: 1, replicationFactor: plan.replicationFactor, writeConcern: plan.writeConcern, minReplicationFactor: plan.writeConcern, shardKeys: ['_key'], sharding: 'single', shardingStrategy: 'hash', isSmart: false }));
    }
  }
  res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': String(out.length) });
  res.end(out);
}
