/**
 * Active-failover test deployments: a real etcd plus real kitsune processes started with
 * `--mode activefailover`, each on a fixed free port (so a restarted member keeps its endpoint
 * and arangojs can be given every endpoint up front).
 */
import fs from 'node:fs';
import { Database } from 'arangojs';
import { signJwt } from '../../src/auth/jwt.ts';
import { startEtcd, freePort, type EtcdProcess } from './etcd.ts';
import { startServer, tempDir, waitFor, type ServerHandle } from './server.ts';

export interface ClusterMemberHandle {
  readonly index: number;
  readonly port: number;
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running process, or null while stopped. */
  server: ServerHandle | null;
}

export interface TestCluster {
  readonly etcd: EtcdProcess;
  readonly members: ClusterMemberHandle[];
  readonly endpoints: string[];
  /** Starts (or restarts) member `i` on its port and data directory. */
  start(i: number): Promise<ServerHandle>;
  /** SIGKILLs member `i`. */
  kill(i: number): Promise<void>;
  /** The index of the member that is a writable leader (availability 200), polled until `timeoutMs`. */
  waitForLeader(timeoutMs?: number, not?: number): Promise<number>;
  /** Polls until member `i` reports its applier `tailing` with the leader's newest tick applied. */
  waitForCaughtUp(i: number, timeoutMs?: number): Promise<void>;
  /** arangojs with every endpoint (root, empty password). */
  client(database?: string): Database;
  /** `Authorization` header value with the deployment's superuser JWT. */
  superuser(): string;
  /** Logs of every member, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  readonly servers: number;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Agency lease TTL in seconds (default 1: fast failovers in tests; the server default is 2). */
  readonly leaseTtlSeconds?: number;
  /** Start only the first `startNow` members (default all, one after another). */
  readonly startNow?: number;
}

const TOKEN_ENV = 'KITSUNE_TEST_JWT_SECRET';

/** Starts etcd and the members (member 0 first, so it wins the start race). */
export async function startCluster(o: TestClusterOptions): Promise<TestCluster> {
  const etcd = await startEtcd();
  const deployment = `t${Math.random().toString(36).slice(2, 10)}`;
  const secretDir = tempDir('kitsune-secret-');
  const secretFile = `${secretDir.dir}/jwt-secret`;
  const secret = `${TOKEN_ENV}-${deployment}-0123456789abcdef`;
  fs.writeFileSync(secretFile, secret);
  const superuser = `bearer ${signJwt({ iss: 'arangodb', iat: Math.floor(Date.now() / 1000), server_id: 'test' }, secret)}`;
  const members: ClusterMemberHandle[] = [];
  const dirs: Array<() => void> = [];
  for (let i = 0; i < o.servers; i++) {
    const port = await freePort();
    const d = tempDir('kitsune-af-');
    dirs.push(d.cleanup);
    members.push({ index: i, port, endpoint: `http://127.0.0.1:${port}`, dataDir: d.dir, server: null });
  }
  const oldLogs: string[] = [];
  const cluster: TestCluster = {
    etcd,
    members,
    endpoints: members.map((m) => m.endpoint),
    async start(i) {
      const m = members[i];
      if (!m) throw new Error(`no member ${i}`);
      if (m.server) oldLogs.push(`--- member ${i} (previous run) ---\n${m.server.logs()}`);
      m.server = await startServer({
        dataDir: m.dataDir,
        args: [
          '--port', String(m.port),
          '--mode', 'activefailover',
          '--agency', etcd.endpoint,
          '--deployment', deployment,
          '--advertise', m.endpoint,
          '--jwt-secret-file', secretFile,
          '--agency.lease-ttl', String(o.leaseTtlSeconds ?? 1),
          ...(o.args ?? []),
        ],
        env: { KITSUNE_LOG_LEVEL: 'info', ...o.env },
        timeoutMs: 30_000,
      });
      return m.server;
    },
    async kill(i) {
      await members[i]?.server?.kill();
    },
    async waitForLeader(timeoutMs = 20_000, not) {
      let found = -1;
      await waitFor(async () => {
        for (const m of members) {
          if (m.index === not || !m.server || m.server.process.exitCode !== null || m.server.process.signalCode !== null) continue;
          const r = await fetch(`${m.endpoint}/_admin/server/availability`).catch(() => null);
          if (r?.status === 200) {
            found = m.index;
            return true;
          }
        }
        return false;
      }, { timeoutMs, what: 'a writable leader' });
      return found;
    },
    async waitForCaughtUp(i, timeoutMs = 30_000) {
      const m = members[i];
      if (!m) throw new Error(`no member ${i}`);
      await waitFor(async () => {
        const leaderIdx = await cluster.waitForLeader(timeoutMs);
        const leader = members[leaderIdx];
        if (!leader) return false;
        // the leader's tick first: under continuous writes a later reading would always be ahead
        const range = await getJson(`${leader.endpoint}/_api/wal/lastTick`, { authorization: superuser });
        const state = await getJson(`${m.endpoint}/_api/replication/applier-state`, { authorization: superuser });
        const s = state as { state?: { phase?: string; lastAppliedContinuousTick?: string } } | null;
        const r = range as { tick?: string } | null;
        return s?.state?.phase === 'tailing' && r?.tick !== undefined && BigInt(s.state.lastAppliedContinuousTick ?? '0') >= BigInt(r.tick);
      }, { timeoutMs, what: `member ${i} to catch up`, intervalMs: 50 });
    },
    client(database = '_system') {
      return new Database({ url: members.map((m) => m.endpoint), databaseName: database, auth: { username: 'root', password: '' } });
    },
    superuser: () => superuser,
    logs() {
      return [...oldLogs, ...members.map((m) => `--- member ${m.index} ---\n${m.server?.logs() ?? '(not running)'}`)].join('\n');
    },
    async stop() {
      await Promise.all(members.map((m) => m.server?.stop().catch(() => undefined)));
      await etcd.stop();
      for (const c of dirs) c();
      secretDir.cleanup();
    },
  };
  try {
    for (let i = 0; i < (o.startNow ?? o.servers); i++) await cluster.start(i);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** GET with root Basic auth; parsed JSON or null. */
export async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const r = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}`, ...headers } }).catch(() => null);
  if (!r || r.status >= 300) return null;
  return r.json().catch(() => null);
}
