import path from 'node:path';
import { pino } from 'pino';
import type { AgencyClient } from '../agency/index.ts';
import { ClusterRegistry } from './cluster-registry.ts';
import { LocalDeployment } from './local-deployment.ts';

/** Options of `kitsune starter --mode cluster`. */
export interface ClusterStarterOptions {
  readonly coordinators: number;
  readonly dbServers: number;
  readonly replicationFactor: number;
  readonly dataDir: string;
  readonly basePort: number;
  readonly deployment: string;
  readonly host: string;
}

export const CLUSTER_STARTER_USAGE = `usage: kitsune starter --mode cluster [--coordinators 3] [--dbservers 3] [--replication-factor 2]
                       [--data-dir ./cluster] [--base-port 8529] [--deployment kitsune] [--host 127.0.0.1]
  coordinators on base-port, base-port+1, …; DB-servers on base-port+50, …; etcd on base-port+100/+101`;

/** Parses the cluster starter's flags; throws an Error with a message for bad input. */
export function parseClusterStarterArgs(argv: readonly string[]): ClusterStarterOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(`--${flag}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  };
  const num = (flag: string, dflt: number, min: number, max: number): number => {
    const n = Number(get(flag) ?? dflt);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag} must be ${min}..${max}`);
    return n;
  };
  if (get('mode') !== 'cluster') throw new Error('the cluster starter needs --mode cluster');
  const dbServers = num('dbservers', 3, 1, 9);
  return {
    coordinators: num('coordinators', 3, 1, 9),
    dbServers,
    replicationFactor: num('replication-factor', 2, 1, dbServers),
    basePort: num('base-port', 8529, 1, 65_000),
    dataDir: path.resolve(get('data-dir') ?? './cluster'),
    deployment: get('deployment') ?? 'kitsune',
    host: get('host') ?? '127.0.0.1',
  };
}

/**
 * `kitsune starter --mode cluster`: etcd from PATH, the DB-servers, then the coordinators; prints
 * `endpoints for clients: …` (the coordinators) and a live status line; Ctrl-C stops everything.
 */
export async function runClusterStarter(o: ClusterStarterOptions, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  const d = await LocalDeployment.start(o, out, err);
  if (d === null) return 1;
  const coordinators: string[] = [];
  try {
    for (let i = 0; i < o.dbServers; i++) await d.launch(`dbserver${i + 1}`, `dbserver${i + 1}`, 'dbserver', o.basePort + 50 + i);
    for (let i = 0; i < o.coordinators; i++) {
      coordinators.push(await d.launch(`coordinator${i + 1}`, `coordinator${i + 1}`, 'coordinator', o.basePort + i, ['--cluster.default-replication-factor', String(o.replicationFactor)]));
    }
  } catch (e) {
    err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
    await d.stop();
    return 1;
  }
  let registry: ClusterRegistry | undefined;
  return d.serve(coordinators, (agency) => status((registry ??= new ClusterRegistry(agency, pino({ level: 'silent' }))), agency, o));
}

async function status(registry: ClusterRegistry, agency: AgencyClient, o: ClusterStarterOptions): Promise<string> {
  const [servers, plans, master] = await Promise.all([registry.servers(), registry.databases(), agency.kv().get(agency.keys.foxxmaster)]);
  const coords = servers.filter((s) => s.role === 'COORDINATOR');
  const dbs = servers.filter((s) => s.role === 'PRIMARY');
  const leaders = [...plans.values()].map((p) => `${p.name}@${dbs.find((s) => s.id === p.leader)?.endpoint.replace(/^https?:\/\//, '') ?? 'down'}`);
  const healthy = coords.length === o.coordinators && dbs.length === o.dbServers ? 'healthy' : 'degraded';
  const masterId = typeof master === 'object' && master !== null && typeof (master as { id?: unknown }).id === 'string' ? (master as { id: string }).id : null;
  const foxxmaster = masterId === null ? 'none' : (coords.find((c) => c.id === masterId)?.endpoint.replace(/^https?:\/\//, '') ?? masterId);
  return `members: ${coords.length}/${o.coordinators} coordinators, ${dbs.length}/${o.dbServers} DB-servers | health: ${healthy} | leaders: ${leaders.join(' ') || 'none'} | Foxxmaster: ${foxxmaster}`;
}
