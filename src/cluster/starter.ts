import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AgencyClient, findEtcdBinary, lockDownStarterAgency } from '../agency/index.ts';

/** Options of `kitsune starter`. */
export interface StarterOptions {
  readonly servers: number;
  readonly dataDir: string;
  readonly basePort: number;
  readonly deployment: string;
  readonly host: string;
}

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kitsune.mjs');

export const STARTER_USAGE = `usage: kitsune starter --mode activefailover [--servers 2] [--data-dir ./af-data] [--base-port 8529]
                       [--deployment kitsune] [--host 127.0.0.1]
  servers listen on base-port, base-port+1, …; etcd (the agency) on base-port+100 (client) and +101 (peer)`;

/** Parses the starter's flags; throws an Error with a message for bad input. */
export function parseStarterArgs(argv: readonly string[]): StarterOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(`--${flag}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${flag}=`));
    return eq?.slice(flag.length + 3);
  };
  const mode = get('mode');
  if (mode !== 'activefailover') throw new Error('the starter needs --mode activefailover');
  const servers = Number(get('servers') ?? 2);
  const basePort = Number(get('base-port') ?? 8529);
  if (!Number.isInteger(servers) || servers < 1 || servers > 9) throw new Error('--servers must be 1..9');
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_000) throw new Error('--base-port must be a port number');
  return {
    servers,
    basePort,
    dataDir: path.resolve(get('data-dir') ?? './af-data'),
    deployment: get('deployment') ?? 'kitsune',
    host: get('host') ?? '127.0.0.1',
  };
}

/**
 * `kitsune starter --mode activefailover`: a local deployment in one command. Launches etcd from
 * PATH (Debian package `etcd-server`), then the servers one after another (the first one leads),
 * prints the endpoints and a live status line (leader, followers, lag), and on Ctrl-C stops the
 * servers and etcd. Returns the process exit code.
 */
export async function runStarter(o: StarterOptions, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
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
  const children: ChildProcess[] = [];
  let stopping = false;
  const agencyArgs: string[] = [];
  const clientUrl = `http://${o.host}:${o.basePort + 100}`;
  const peerUrl = `http://${o.host}:${o.basePort + 101}`;
  const etcd = spawn(etcdBin, [
    '--name', 'kitsune-agency',
    '--data-dir', path.join(o.dataDir, 'etcd'),
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `kitsune-agency=${peerUrl}`,
    '--heartbeat-interval', '100',
    '--election-timeout', '1000',
    '--logger', 'zap',
    '--log-level', 'warn',
    // the agency password is 192 random bits: bcrypt's stretching adds nothing but login latency
    '--bcrypt-cost', '4',
  ], { stdio: ['ignore', 'ignore', fs.openSync(path.join(o.dataDir, 'etcd.log'), 'a')] });
  children.push(etcd);
  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exits = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
    for (const c of children.slice(1)) c.kill('SIGTERM');
    await Promise.all(exits.slice(1));
    etcd.kill('SIGTERM');
    await exits[0];
  };
  try {
    await waitHealthy(`${clientUrl}/health`, 15_000);
    // etcd is locked down before any member joins: nothing reads or writes it without credentials
    const locked = await lockDownStarterAgency(o.dataDir, clientUrl);
    agencyArgs.push(...locked.args);
    out.write(`agency (etcd) on ${clientUrl}, authentication on (user root, password in ${locked.passwordFile})\n`);
    for (let i = 0; i < o.servers; i++) {
      const port = o.basePort + i;
      const endpoint = `http://${o.host}:${port}`;
      const dir = path.join(o.dataDir, `server${i + 1}`);
      const child = spawn(process.execPath, [
        BIN, 'start', '--host', o.host, '--port', String(port), '--data-dir', dir,
        '--mode', 'activefailover', '--agency', clientUrl, '--advertise', endpoint,
        '--deployment', o.deployment, '--jwt-secret-file', secretFile, ...agencyArgs,
      ], { stdio: ['ignore', 'pipe', fs.openSync(path.join(o.dataDir, `server${i + 1}.log`), 'a')] });
      children.push(child);
      child.once('exit', (code, signal) => {
        if (!stopping) out.write(`\nserver ${i + 1} (${endpoint}) exited (${signal ?? code})\n`);
      });
      await waitReady(child);
      out.write(`server ${i + 1}: ${endpoint}  (log ${path.join(o.dataDir, `server${i + 1}.log`)})\n`);
    }
  } catch (e) {
    err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
    await stopAll();
    return 1;
  }
  out.write('endpoints for clients: ' + children.slice(1).map((_, i) => `http://${o.host}:${o.basePort + i}`).join(',') + '\nCtrl-C stops everything.\n');
  const agency = new AgencyClient({ endpoints: [clientUrl], deployment: o.deployment, memberId: `starter-${process.pid}`, leaseTtlSeconds: 5, log: pino({ level: 'silent' }) });
  await agency.connect().catch(() => undefined);
  const timer = setInterval(() => void status(agency, out), 1000);
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

async function status(agency: AgencyClient, out: NodeJS.WriteStream): Promise<void> {
  try {
    const [leader, members] = await Promise.all([agency.getLeader(), agency.listMembers()]);
    const lead = members.find((m) => m.id === leader?.value.id);
    const leaderTick = BigInt(lead?.appliedTick ?? '0');
    const followers = members
      .filter((m) => m.id !== leader?.value.id)
      .map((m) => {
        const lagMs = Number(leaderTick - BigInt(m.appliedTick)) / 1000;
        return `${m.endpoint} ${m.applierState}${m.applierState === 'tailing' ? ` lag ${Math.max(0, lagMs).toFixed(0)} ms` : ''}`;
      });
    const line = `leader: ${leader ? `${leader.value.endpoint} (term ${leader.term})` : 'none (election)'} | followers: ${followers.join(', ') || 'none'}`;
    out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  } catch {
    out.write(out.isTTY ? '\r\x1b[2Kagency unreachable' : 'agency unreachable\n');
  }
}

export async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd did not become healthy at ${url} within ${timeoutMs} ms`);
}

export function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('kitsune ready on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a server exited with ${code} during startup (see its log)`)));
  });
}
