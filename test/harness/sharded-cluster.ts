/**
 * Cluster-mode test deployments: a real etcd, DB-servers (`--mode dbserver`) and coordinators
 * (`--mode coordinator`) as real processes on fixed free ports of 127.0.0.1.
 */
import fs from 'node:fs';
import { Database } from 'arangojs';
import { signJwt, superuserJwt, type JwtClaims } from '../../src/auth/index.ts';
import { startEtcd, freePort, type EtcdProcess } from './etcd.ts';
import { startServer, tempDir, type ServerHandle } from './server.ts';

export interface RoleHandle {
  readonly port: number;
  readonly endpoint: string;
  readonly dataDir: string;
  server: ServerHandle | null;
}

export interface ShardedCluster {
  readonly etcd: EtcdProcess;
  readonly dbServers: RoleHandle[];
  readonly coordinators: RoleHandle[];
  /** arangojs over every coordinator, round robin. */
  client(database?: string, auth?: { username: string; password: string }): Database;
  logs(): string;
  /** `bearer <superuser JWT>` of this deployment, for reading a DB-server's replication endpoints directly. */
  superuser(): string;
  /** A JWT with `claims`, signed with this deployment's secret. */
  jwt(claims: JwtClaims): string;
  /** (Re)starts one role on its port and data dir, e.g. after `h.server.kill()`; the mode defaults to the role's own. */
  restart(h: RoleHandle, mode?: 'dbserver' | 'coordinator', extraArgs?: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts etcd, then the DB-servers, then the coordinators (each resolves on its ready line). */
export async function startShardedCluster(o: {
  dbServers: number;
  coordinators: number;
  args?: readonly string[];
  /** Every member serves HTTPS with `keyfile`, advertises `ssl://…` and trusts `cafile` for peers; clients trust it too. */
  tls?: { readonly keyfile: string; readonly cafile: string };
}): Promise<ShardedCluster> {
  const tlsArgs = o.tls ? ['--ssl.keyfile', o.tls.keyfile, '--ssl.cafile', o.tls.cafile] : [];
  const ca = o.tls ? fs.readFileSync(o.tls.cafile, 'utf8') : undefined;
  const etcd = await startEtcd();
  const deployment = `c${Math.random().toString(36).slice(2, 10)}`;
  const secretDir = tempDir('kitsune-secret-');
  const secretFile = `${secretDir.dir}/jwt-secret`;
  fs.writeFileSync(secretFile, `secret-${deployment}-0123456789abcdef`);
  const dirs: Array<() => void> = [secretDir.cleanup];
  const make = async (): Promise<RoleHandle> => {
    const port = await freePort();
    const d = tempDir('kitsune-cl-');
    dirs.push(d.cleanup);
    return { port, endpoint: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`, dataDir: d.dir, server: null };
  };
  const dbServers: RoleHandle[] = [];
  const coordinators: RoleHandle[] = [];
  for (let i = 0; i < o.dbServers; i++) dbServers.push(await make());
  for (let i = 0; i < o.coordinators; i++) coordinators.push(await make());
  const start = async (h: RoleHandle, mode: string, extraArgs: readonly string[] = []): Promise<void> => {
    h.server = await startServer({
      dataDir: h.dataDir,
      args: ['--port', String(h.port), '--mode', mode, '--agency', etcd.endpoint, '--deployment', deployment, '--advertise', o.tls ? h.endpoint.replace(/^https:/, 'ssl:') : h.endpoint,
        '--jwt-secret-file', secretFile, '--agency.lease-ttl', '2', ...tlsArgs, ...(o.args ?? []), ...extraArgs],
      timeoutMs: 30_000,
    });
  };
  const cluster: ShardedCluster = {
    etcd,
    dbServers,
    coordinators,
    client(database = '_system', auth = { username: 'root', password: '' }) {
      return new Database({ url: coordinators.map((c) => c.endpoint), databaseName: database, auth, loadBalancingStrategy: 'ROUND_ROBIN', ...(ca === undefined ? {} : { agentOptions: { connect: { ca } } }) });
    },
    logs() {
      return [...dbServers.map((h, i) => `--- dbserver ${i} ---\n${h.server?.logs() ?? ''}`), ...coordinators.map((h, i) => `--- coordinator ${i} ---\n${h.server?.logs() ?? ''}`)].join('\n');
    },
    superuser: () => `bearer ${superuserJwt(fs.readFileSync(secretFile, 'utf8').trim(), 'test')}`,
    jwt: (claims) => signJwt(claims, fs.readFileSync(secretFile, 'utf8').trim()),
    restart: (h, mode, extraArgs) => start(h, mode ?? (dbServers.includes(h) ? 'dbserver' : 'coordinator'), extraArgs),
    async stop() {
      await Promise.all(coordinators.map((h) => h.server?.stop().catch(() => undefined)));
      await Promise.all(dbServers.map((h) => h.server?.stop().catch(() => undefined)));
      await etcd.stop();
      for (const c of dirs) c();
    },
  };
  try {
    for (const h of dbServers) await start(h, 'dbserver');
    for (const h of coordinators) await start(h, 'coordinator');
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
