/** Helpers of the cluster-mode tests: the shard view of a OneShard database, DB-server ids. */
import type { Database } from 'arangojs';
import { getJson } from '../harness/cluster.ts';
import { waitFor } from '../harness/server.ts';
import type { RoleHandle, ShardedCluster } from '../harness/sharded-cluster.ts';

export interface Shard {
  readonly leader: string;
  readonly planned: string[];
  readonly inSync: string[];
}

/** Leader, planned followers and in-sync followers of a OneShard database, as a coordinator reports them. */
export async function shardOf(db: Database): Promise<Shard | null> {
  const body = (await db.route('/_admin/cluster/shardDistribution').get()).parsedBody as {
    results: Record<string, { Plan: Record<string, { leader: string; followers: string[] }>; Current: Record<string, { followers: string[] }> }>;
  };
  const first = Object.values(body.results)[0];
  const plan = first ? Object.values(first.Plan)[0] : undefined;
  const current = first ? Object.values(first.Current)[0] : undefined;
  return plan && current ? { leader: plan.leader, planned: plan.followers, inSync: current.followers } : null;
}

/** DB-server id → handle (asked from each DB-server, retried while a loaded machine is slow to answer). */
export async function mapIds(c: ShardedCluster, ids: Map<string, RoleHandle>): Promise<void> {
  for (const h of c.dbServers) {
    let id: string | undefined;
    await waitFor(async () => (id = ((await getJson(`${h.endpoint}/_admin/server/id`)) as { id?: string } | null)?.id) !== undefined, { timeoutMs: 15_000, what: `the id of ${h.endpoint}` });
    ids.set(id ?? '', h);
  }
}
