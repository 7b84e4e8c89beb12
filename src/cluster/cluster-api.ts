import { ArangoError } from '../errors/index.ts';
import type { RequestContext, Router } from '../http/index.ts';
import type { ClusterMember } from './cluster-member.ts';

/** `http://host:port` → `tcp://host:port` (ArangoDB's endpoint notation in `/_api/cluster/endpoints`). */
export function toTcp(endpoint: string): string {
  return endpoint.replace(/^http:\/\//, 'tcp://').replace(/^https:\/\//, 'ssl://');
}

/**
 * Endpoints every member answers (spec §2.4): `/_api/cluster/endpoints` (leader first),
 * `/_admin/server/mode`, `/_admin/server/availability` (no authentication; 200 only on a writable
 * leader, for load balancers), and `/_api/replication/applier-state` (follower progress and lag).
 */
export function registerClusterApi(router: Router, member: ClusterMember): void {
  router.add('GET', '/_api/cluster/endpoints', async () => {
    const leader = member.leader();
    if (leader === null) {
      throw new ArangoError('ERROR_CLUSTER_LEADERSHIP_CHALLENGE_ONGOING', 'Leadership challenge is ongoing', { headers: { 'x-arango-endpoint': '' } });
    }
    const endpoints = [{ endpoint: toTcp(leader.value.endpoint) }];
    const members = await member.members().catch(() => []);
    for (const m of members) {
      if (m.id === leader.value.id || m.endpoint === '') continue;
      endpoints.push({ endpoint: toTcp(m.endpoint) });
    }
    return { status: 200, body: { error: false, code: 200, endpoints } };
  }, { anyDatabase: true });
  router.add('GET', '/_admin/server/mode', () => ({
    status: 200,
    body: { error: false, code: 200, mode: member.isWritable() ? 'default' : 'readonly' },
  }), { anyDatabase: true });
  router.add('GET', '/_admin/server/availability', () => {
    if (!member.isWritable()) throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE');
    return { status: 200, body: { error: false, code: 200, mode: 'default' } };
  }, { open: true });
  router.add('GET', '/_api/replication/applier-state', (ctx: RequestContext) => {
    if (ctx.principal !== null && !ctx.principal.superuser && !ctx.isSuperuser) throw new ArangoError('ERROR_FORBIDDEN');
    const a = member.applier;
    const leader = member.leader();
    return {
      status: 200,
      body: {
        state: {
          running: a.phase === 'tailing' || a.phase === 'initial-sync',
          phase: a.phase,
          lastAppliedContinuousTick: String(a.appliedTick),
          lagTicks: a.lagTicks,
        },
        server: { serverId: member.memberId, role: member.role },
        endpoint: leader?.value.endpoint ?? null,
        lagMs: a.lagStats(ctx.flag('resetLag', false)),
      },
    };
  }, { anyDatabase: true });
}
