import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AgencyClient, findEtcdBinary, lockDownStarterAgency } from '../agency/index.ts';
import { ClusterRegistry } from './cluster-registry.ts';
import { waitHealthy, waitReady } from './starter.ts';

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

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kitsune.mjs');

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
  let etcdBin: string;
  try {
    etcdBin = await findEtcdBinary({ searchPath: process.env['PATH'] });
  } catch (e) {
    err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  fs.mkdirSync(o.dataDir, { recursive: true });
  const secretFile = path.join(o.dataDir, 'jwt-secret');
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const clientUrl = `http://${o.host}:${o.basePort + 100}`;
  const peerUrl = `http://${o.host}:${o.basePort + 101}`;
  const log = (name: string): number => fs.openSync(path.join(o.dataDir, `${name}.log`), 'a');
  const etcd = spawn(etcdBin, [
    '--name', 'kitsune-agency', '--data-dir', path.join(o.dataDir, 'etcd'),
    '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `kitsune-agency=${peerUrl}`, '--heartbeat-interval', '100', '--election-timeout', '1000',
    '--logger', 'zap', '--log-level', 'warn',
    // the agency password is 192 random bits: bcrypt's stretching adds nothing but login latency
    '--bcrypt-cost', '4',
  ], { stdio: ['ignore', 'ignore', log('etcd')] });
  const children: ChildProcess[] = [];
  const agencyArgs: string[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exited = (c: ChildProcess): Promise<void> => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r())));
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    etcd.kill('SIGTERM');
    await exited(etcd);
  };
  const launch = async (name: string, mode: string, port: number, extra: string[]): Promise<string> => {
    const endpoint = `http://${o.host}:${port}`;
    const child = spawn(process.execPath, [
      BIN, 'start', '--mode', mode, '--host', o.host, '--port', String(port), '--data-dir', path.join(o.dataDir, name),
      '--agency', clientUrl, '--advertise', endpoint, '--deployment', o.deployment, '--jwt-secret-file', secretFile, ...agencyArgs, ...extra,
    ], { stdio: ['ignore', 'pipe', log(name)] });
    children.push(child);
    child.once('exit', (code, signal) => {
      if (!stopping) out.write(`\n${name} (${endpoint}) exited (${signal ?? code})\n`);
    });
    await waitReady(child);
    out.write(`${name}: ${endpoint}  (log ${path.join(o.dataDir, `${name}.log`)})\n`);
    return endpoint;
  };
  const coordinators: string[] = [];
  try {
    await waitHealthy(`${clientUrl}/health`, 15_000);
    // etcd is locked down before any member joins: nothing reads or writes it without credentials
    const locked = await lockDownStarterAgency(o.dataDir, clientUrl);
    agencyArgs.push(...locked.args);
    out.write(`agency (etcd) on ${clientUrl}, authentication on (user root, password in ${locked.passwordFile})\n`);
    for (let i = 0; i < o.dbServers; i++) await launch(`dbserver${i + 1}`, 'dbserver', o.basePort + 50 + i, []);
    for (let i = 0; i < o.coordinators; i++) {
      coordinators.push(await launch(`coordinator${i + 1}`, 'coordinator', o.basePort + i, ['--cluster.default-replication-factor', String(o.replicationFactor)]));
    }
  } catch (e) {
    err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
    await stopAll();
    return 1;
  }
  out.write(`endpoints for clients: ${coordinators.join(',')}\nCtrl-C stops everything.\n`);
  const agency = new AgencyClient({ endpoints: [clientUrl], deployment: o.deployment, memberId: `starter-${process.pid}`, leaseTtlSeconds: 5, log: pino({ level: 'silent' }) });
  await agency.connect().catch(() => undefined);
  const registry = new ClusterRegistry(agency, pino({ level: 'silent' }));
  const timer = setInterval(() => void status(registry, o, out), 1000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  clearInterval(timer);
  out.write('\nstopping…\n');
  await agency.close().catch(() => undefined);
  await stopAll();
  out.write('stopped\n');
  return 0;
}

async function status(registry: ClusterRegistry, o: ClusterStarterOptions, out: NodeJS.WriteStream): Promise<void> {
  let line: string;
  try {
    const [servers, plans] = await Promise.all([registry.servers(), registry.databases()]);
    const coords = servers.filter((s) => s.role === 'COORDINATOR').length;
    const dbs = servers.filter((s) => s.role === 'PRIMARY');
    const leaders = [...plans.values()].map((p) => `${p.name}@${dbs.find((s) => s.id === p.leader)?.endpoint.replace(/^http:\/\//, '') ?? 'down'}`);
    const healthy = coords === o.coordinators && dbs.length === o.dbServers ? 'healthy' : 'degraded';
    line = `members: ${coords}/${o.coordinators} coordinators, ${dbs.length}/${o.dbServers} DB-servers | health: ${healthy} | leaders: ${leaders.join(' ') || 'none'} | Foxxmaster: none`;
  } catch {
    line = 'agency unreachable';
  }
  out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
}
