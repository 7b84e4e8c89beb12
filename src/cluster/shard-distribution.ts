import type { DatabasePlan, ServerRecord } from './cluster-registry.ts';
import { callServer, relayError } from './forward.ts';

/**
 * ArangoDB's `/_db/<db>/_admin/cluster/shardDistribution` for a OneShard database: per collection
 * one shard `s<collection id>` with `Plan` (leader and planned followers) and `Current` (leader and
 * the followers in sync, as the leader keeps them in the agency). The collection list comes from
 * the leader with the caller's credentials, so a caller sees what it may see.
 */
export async function shardDistribution(plan: DatabasePlan, leader: ServerRecord, authorization: string | undefined): Promise<Record<string, unknown>> {
  const r = await callServer(leader.endpoint, 'GET', `/_db/${encodeURIComponent(plan.name)}/_api/collection?excludeSystem=false`, authorization);
  if (r.status >= 300) relayError(r.status, r.body);
  const list = (r.body as { result?: Array<{ id?: unknown; name?: unknown }> } | null)?.result ?? [];
  const results: Record<string, unknown> = {};
  for (const c of list) {
    if (typeof c.name !== 'string') continue;
    const shard = `s${String(c.id)}`;
    results[c.name] = {
      Plan: { [shard]: { leader: plan.leader, followers: [...plan.followers] } },
      Current: { [shard]: { leader: plan.leader, followers: [...(plan.inSync ?? [])] } },
    };
  }
  return results;
}
