import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AgencyClient, findEtcdBinary, lockDownStarterAgency } from '../agency/index.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kitsune.mjs');

/** What both starters share: where the deployment lives and how its members are reached. */
export interface LocalDeploymentOptions {
  readonly dataDir: string;
  readonly basePort: number;
  readonly deployment: string;
  readonly host: string;
}

/**
 * A deployment on this machine, as `kitsune starter` runs it: etcd from PATH on base-port+100/+101
 * (locked down with a generated root password before any member joins), a shared JWT secret file,
 * and `kitsune start` children that each log to `<data-dir>/<name>.log`. Stopping ends the members
 * first, then etcd.
 */
export class LocalDeployment {
  readonly clientUrl: string;
  readonly secretFile: string;
  readonly #o: LocalDeploymentOptions;
  readonly #out: NodeJS.WriteStream;
  readonly #etcd: ChildProcess;
  readonly #members: ChildProcess[] = [];
  readonly #agencyArgs: string[] = [];
  #stopping = false;

  private constructor(o: LocalDeploymentOptions, out: NodeJS.WriteStream, etcd: ChildProcess, clientUrl: string, secretFile: string) {
    this.#o = o;
    this.#out = out;
    this.#etcd = etcd;
    this.clientUrl = clientUrl;
    this.secretFile = secretFile;
  }

  /** Starts etcd and locks it down; null (after one line on `err`) when that is not possible. */
  static async start(o: LocalDeploymentOptions, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<LocalDeployment | null> {
    let etcdBin: string;
    try {
      etcdBin = await findEtcdBinary({ searchPath: process.env['PATH'] });
    } catch (e) {
      err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
      return null;
    }
    fs.mkdirSync(o.dataDir, { recursive: true });
    const secretFile = path.join(o.dataDir, 'jwt-secret');
    if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const clientUrl = `http://${o.host}:${o.basePort + 100}`;
    const peerUrl = `http://${o.host}:${o.basePort + 101}`;
    const etcd = spawn(etcdBin, [
      '--name', 'kitsune-agency', '--data-dir', path.join(o.dataDir, 'etcd'),
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `kitsune-agency=${peerUrl}`, '--heartbeat-interval', '100', '--election-timeout', '1000',
      '--logger', 'zap', '--log-level', 'warn',
      // the agency password is 192 random bits: bcrypt's stretching adds nothing but login latency
      '--bcrypt-cost', '4',
    ], { stdio: ['ignore', 'ignore', fs.openSync(path.join(o.dataDir, 'etcd.log'), 'a')] });
    const d = new LocalDeployment(o, out, etcd, clientUrl, secretFile);
    try {
      await waitHealthy(`${clientUrl}/health`, 15_000);
      // etcd is locked down before any member joins: nothing reads or writes it without credentials
      const locked = await lockDownStarterAgency(o.dataDir, clientUrl);
      d.#agencyArgs.push(...locked.args);
      out.write(`agency (etcd) on ${clientUrl}, authentication on (user root, password in ${locked.passwordFile})\n`);
      return d;
    } catch (e) {
      err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
      await d.stop();
      return null;
    }
  }

  /** Starts `kitsune start --mode <mode>` as member `name` on `port`; resolves with its endpoint once it is ready. */
  async launch(name: string, label: string, mode: string, port: number, extra: readonly string[] = []): Promise<string> {
    const o = this.#o;
    const endpoint = `http://${o.host}:${port}`;
    const logFile = path.join(o.dataDir, `${name}.log`);
    const child = spawn(process.execPath, [
      BIN, 'start', '--mode', mode, '--host', o.host, '--port', String(port), '--data-dir', path.join(o.dataDir, name),
      '--agency', this.clientUrl, '--advertise', endpoint, '--deployment', o.deployment, '--jwt-secret-file', this.secretFile,
      ...this.#agencyArgs, ...extra,
    ], { stdio: ['ignore', 'pipe', fs.openSync(logFile, 'a')] });
    this.#members.push(child);
    child.once('exit', (code, signal) => {
      if (!this.#stopping) this.#out.write(`\n${label} (${endpoint}) exited (${signal ?? code})\n`);
    });
    await waitReady(child);
    this.#out.write(`${label}: ${endpoint}  (log ${logFile})\n`);
    return endpoint;
  }

  /**
   * Prints `endpoints for clients: …`, then `status(agency)` every second until SIGINT/SIGTERM,
   * then stops everything. Resolves with the exit code.
   */
  async serve(clientEndpoints: readonly string[], status: (agency: AgencyClient) => Promise<string>): Promise<number> {
    const out = this.#out;
    out.write(`endpoints for clients: ${clientEndpoints.join(',')}\nCtrl-C stops everything.\n`);
    const agency = new AgencyClient({ endpoints: [this.clientUrl], deployment: this.#o.deployment, memberId: `starter-${process.pid}`, leaseTtlSeconds: 5, log: pino({ level: 'silent' }) });
    await agency.connect().catch(() => undefined);
    const tick = async (): Promise<void> => {
      const line = await status(agency).catch(() => 'agency unreachable');
      out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    };
    const timer = setInterval(() => void tick(), 1000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    clearInterval(timer);
    out.write('\nstopping…\n');
    await agency.close().catch(() => undefined);
    await this.stop();
    out.write('stopped\n');
    return 0;
  }

  /** SIGTERM to every member, then to etcd; resolves when all have exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exited = (c: ChildProcess): Promise<void> => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r())));
    for (const c of this.#members) c.kill('SIGTERM');
    await Promise.all(this.#members.map(exited));
    this.#etcd.kill('SIGTERM');
    await exited(this.#etcd);
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
