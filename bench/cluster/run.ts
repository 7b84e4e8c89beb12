// npm run bench:cluster [-- --quick]: cluster-mode figures with real etcd, DB-server and coordinator processes.
// 1. GET of one document through a coordinator, as a ratio to the same GET on a single server (same run,
//    same client, same concurrency): target ≥ 0.5
// 2. DB-server leader SIGKILL → next acknowledged write through a coordinator (default lease TTL 2 s,
//    writeConcern 1): median of 5, target ≤ 3 s
// Prints one JSON line per measurement and a summary.
import http from 'node:http';
import { startServer, tempDir } from '../../test/harness/server.ts';
import { getJson } from '../../test/harness/cluster.ts';
import { startShardedCluster, type RoleHandle, type ShardedCluster } from '../../test/harness/sharded-cluster.ts';

const quick = process.argv.includes('--quick');
const TRIALS = quick ? 3 : 5;
const GET_SECONDS = quick ? 2 : 4;
const ROUNDS = quick ? 3 : 5;
const CONCURRENCY = 32;
const AUTH = `Basic ${Buffer.from('root:').toString('base64')}`;

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ type: 'result', ...o })}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function call(endpoint: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${endpoint}${path}`, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** Requests per second of `GET path` with CONCURRENCY keep-alive connections for `seconds`. */
async function getRate(endpoint: string, path: string, seconds: number): Promise<number> {
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const one = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path, agent, headers: { authorization: AUTH } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      });
      req.once('error', reject);
      req.end();
    });
  // warm-up: connections, caches, JIT
  const warm = Date.now() + 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < warm) await one();
  }));
  let n = 0;
  let bad = 0;
  const until = Date.now() + seconds * 1000;
  const start = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < until) {
      if ((await one()) === 200) n++;
      else bad++;
    }
  }));
  agent.destroy();
  if (bad > 0) throw new Error(`${bad} GETs failed on ${endpoint}`);
  return Math.round(n / ((Date.now() - start) / 1000));
}

/** A single server with the same document, running while the cluster is measured. */
async function singleServer(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const dir = tempDir('kitsune-bench-single-');
  const s = await startServer({ dataDir: dir.dir });
  await call(s.endpoint, 'POST', '/_api/collection', { name: 'items' });
  await call(s.endpoint, 'POST', '/_api/document/items', { _key: 'k1', value: 'x'.repeat(100) });
  return {
    endpoint: s.endpoint,
    stop: async () => {
      await s.stop();
      dir.cleanup();
    },
  };
}

async function leaderOf(c: ShardedCluster, db: string, ids: Map<string, RoleHandle>): Promise<{ leader: RoleHandle; inSync: number }> {
  const r = await call(c.coordinators[0]?.endpoint ?? '', 'GET', `/_db/${db}/_admin/cluster/shardDistribution`);
  const results = (r.json as { results?: Record<string, { Plan: Record<string, { leader: string }>; Current: Record<string, { followers: string[] }> }> }).results ?? {};
  const first = Object.values(results)[0];
  const leaderId = first ? Object.values(first.Plan)[0]?.leader : undefined;
  const leader = leaderId === undefined ? undefined : ids.get(leaderId);
  if (!leader || !first) throw new Error(`no leader of ${db}`);
  return { leader, inSync: Object.values(first.Current)[0]?.followers.length ?? 0 };
}

async function until(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function clusterFigures(singleEndpoint: string): Promise<{ single: number; coordinatorGet: number; ratios: number[]; failover: number[] }> {
  // server defaults (lease TTL 2 s, sync timeout 3 s); the harness passes --agency.lease-ttl 2
  const c = await startShardedCluster({ dbServers: 3, coordinators: 3 });
  try {
    const ids = new Map<string, RoleHandle>();
    for (const h of c.dbServers) ids.set(((await getJson(`${h.endpoint}/_admin/server/id`)) as { id: string }).id, h);
    const coord = c.coordinators[0]?.endpoint ?? '';
    await call(coord, 'POST', '/_api/database', { name: 'bench', options: { replicationFactor: 2 } });
    await call(coord, 'POST', '/_db/bench/_api/collection', { name: 'items' });
    await call(coord, 'POST', '/_db/bench/_api/document/items', { _key: 'k1', value: 'x'.repeat(100) });
    await until('the follower of bench to be in sync', async () => (await leaderOf(c, 'bench', ids)).inSync >= 1);
    // interleaved rounds (the machine is shared: load drifts), the ratio is the median of the rounds' ratios
    const singles: number[] = [];
    const coords: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const s = await getRate(singleEndpoint, '/_api/document/items/k1', GET_SECONDS);
      const g = await getRate(coord, '/_db/bench/_api/document/items/k1', GET_SECONDS);
      singles.push(s);
      coords.push(g);
      ratios.push(g / s);
      emit({ name: 'get_round', round: round + 1, single_per_sec: s, coordinator_per_sec: g, ratio: Math.round((g / s) * 100) / 100 });
    }
    const single = median(singles);
    const coordinatorGet = median(coords);

    const failover: number[] = [];
    for (let t = 0; t < TRIALS; t++) {
      await until('the follower to be in sync', async () => (await leaderOf(c, 'bench', ids)).inSync >= 1);
      const { leader } = await leaderOf(c, 'bench', ids);
      let killedAt = 0;
      let firstAck = 0;
      let running = true;
      let n = 0;
      const writers = Array.from({ length: 4 }, async () => {
        while (running) {
          const startedAt = Date.now();
          const r = await call(c.coordinators[n % c.coordinators.length]?.endpoint ?? coord, 'POST', '/_db/bench/_api/document/items', { _key: `t${t}-${n++}` }).catch(() => ({ status: 0 }));
          if (r.status < 300 && r.status > 0) {
            if (killedAt > 0 && startedAt >= killedAt && firstAck === 0) firstAck = Date.now();
          } else await new Promise((res) => setTimeout(res, 5));
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      killedAt = Date.now();
      await leader.server?.kill();
      await until('a write acknowledged by the new leader', async () => firstAck > 0, 30_000);
      running = false;
      await Promise.all(writers);
      failover.push(firstAck - killedAt);
      emit({ name: 'cluster_failover_trial', trial: t + 1, ms: firstAck - killedAt });
      await c.restart(leader);
    }
    return { single, coordinatorGet, ratios, failover };
  } finally {
    await c.stop();
  }
}

const singleSrv = await singleServer();
let figures;
try {
  figures = await clusterFigures(singleSrv.endpoint);
} finally {
  await singleSrv.stop();
}
const { single, coordinatorGet, ratios, failover } = figures;
emit({ name: 'get_single_per_sec', value: single });
emit({ name: 'get_coordinator_per_sec', value: coordinatorGet });
const ratio = Math.round(median(ratios) * 100) / 100;
emit({ name: 'get_coordinator_to_single_ratio', value: ratio, target: 0.5 });
const fo = median(failover);
emit({ name: 'cluster_failover_ms_median', value: fo, trials: failover, target: 3000 });
process.stdout.write(
  `\nGET document: single server ${single}/s, through a coordinator ${coordinatorGet}/s (medians), ratio ${ratio} (median of ${ratios.length} interleaved rounds) (target ≥ 0.5) ${ratio >= 0.5 ? 'OK' : 'MISSED'}\n` +
    `DB-server leader SIGKILL → next acknowledged write through a coordinator: median ${fo} ms over ${failover.length} (target ≤ 3000) ${fo <= 3000 ? 'OK' : 'MISSED'}\n`,
);
