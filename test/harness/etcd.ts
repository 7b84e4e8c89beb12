/**
 * Starts a real etcd (Debian package `etcd-server`) for tests: one member on free 127.0.0.1
 * ports, its own temporary data directory, Raft timings made fast for tests. The process is
 * killed and its directory removed by `stop()`/`kill()`, and at the latest when the test
 * process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEtcdBinary } from '../../src/agency/etcd-binary.ts';
import { retry } from '../../src/common/retry.ts';

/** Settings of a test etcd; every duration in ms. */
export interface EtcdOptions {
  /** Raft heartbeat; default 100. */
  readonly heartbeatIntervalMs?: number;
  /**
   * Raft election timeout; default 500. etcd's minimum lease TTL is ceil(1.5 × this) rounded up
   * to whole seconds, so with 500 ms a 1 s TTL is honoured.
   */
  readonly electionTimeoutMs?: number;
  /** How long to wait for `/health` to report healthy; default 15000. */
  readonly startTimeoutMs?: number;
}

/** A running test etcd. */
export interface EtcdProcess {
  /** Client URL, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** The pid of the current etcd process (changes on `restart()`). */
  readonly pid: number;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), then removes the data directory. Idempotent. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL), then removes the data directory. Idempotent. */
  kill(): Promise<void>;
  /** Crashes etcd (SIGKILL) and starts it again on the same ports and data, waiting until healthy. */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void;
  /** Thaws a paused process (SIGCONT). */
  resume(): void;
  /** The last lines etcd wrote, for failure messages. */
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;
const NAME = 'kitsune-test';

/**
 * The lowest port the OS hands out on its own (the ephemeral range: source ports of outgoing
 * connections, `listen(0)`). Ports handed to servers that bind them later are taken below it, so
 * the many client connections of concurrent tests cannot take one in between (EADDRINUSE).
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canBind(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port that was free on 127.0.0.1 a moment ago, for a process that binds it later: a random one
 * between 10000 and the ephemeral range (see {@link ephemeralLow}); the OS's choice (port 0) only
 * if none of 50 tries binds.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow();
  for (let i = 0; i < 50; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canBind(port)) return port;
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not determine a free port');
  return address.port;
}

/**
 * Starts etcd and resolves once its `/health` endpoint reports healthy. Fails with a message
 * naming the Debian package `etcd-server` when `etcd` is not on PATH, and with etcd's own output
 * when it exits or does not become healthy in time. A port taken between probing and binding is
 * retried with new ports.
 */
export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdProcess> {
  const binary = await findEtcdBinary({ searchPath: process.env.PATH });
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const clientPort = await freePort();
    let peerPort = await freePort();
    while (peerPort === clientPort) peerPort = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'kitsune-etcd-'));
    const instance = new EtcdInstance({ binary, clientPort, peerPort, dataDir, options });
    try {
      await instance.launch('new');
      return instance;
    } catch (error) {
      lastError = error;
      await instance.kill();
      if (!(error instanceof PortInUseError)) throw error;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}
class EtcdExitedError extends Error {}

interface InstanceConfig {
  readonly binary: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  readonly options: EtcdOptions;
}

class EtcdInstance implements EtcdProcess {
  readonly endpoint: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  readonly #config: InstanceConfig;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #output = '';
  #finished: Promise<void> | null = null;
  // Last-resort cleanup if a test forgets stop() or the test process dies abruptly.
  readonly #onProcessExit = (): void => {
    const pid = this.#child?.pid;
    if (pid !== undefined && this.#isRunning()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  };

  constructor(config: InstanceConfig) {
    this.#config = config;
    this.clientPort = config.clientPort;
    this.peerPort = config.peerPort;
    this.dataDir = config.dataDir;
    this.endpoint = `http://127.0.0.1:${config.clientPort}`;
    process.once('exit', this.#onProcessExit);
  }

  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  async launch(clusterState: 'new' | 'existing'): Promise<void> {
    const { binary, peerPort, options } = this.#config;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const child = spawn(
      binary,
      [
        '--name', NAME,
        '--data-dir', this.dataDir,
        '--listen-client-urls', this.endpoint,
        '--advertise-client-urls', this.endpoint,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `${NAME}=${peerUrl}`,
        '--initial-cluster-state', clusterState,
        '--heartbeat-interval', String(options.heartbeatIntervalMs ?? 100),
        '--election-timeout', String(options.electionTimeoutMs ?? 500),
        '--logger', 'zap',
        '--log-level', 'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const collect = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#child = child;
    if (child.pid === undefined) throw new Error(`could not spawn ${binary}`);

    const startTimeoutMs = options.startTimeoutMs ?? 15000;
    try {
      await retry(
        async () => {
          if (!this.#isRunning()) throw new EtcdExitedError();
          const res = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(1000) });
          const body: unknown = await res.json();
          if (!(res.ok && typeof body === 'object' && body !== null && (body as { health?: unknown }).health === 'true')) {
            throw new Error(`etcd not healthy yet: ${JSON.stringify(body)}`);
          }
        },
        { maxAttempts: Infinity, initialDelayMs: 20, maxDelayMs: 200, deadlineMs: startTimeoutMs },
        { shouldRetry: (error) => !(error instanceof EtcdExitedError) },
      );
    } catch (error) {
      if (/address already in use/i.test(this.#output)) throw new PortInUseError(`etcd port already in use:\n${this.#output}`);
      const why = error instanceof EtcdExitedError ? 'exited during startup' : `did not become healthy within ${startTimeoutMs} ms`;
      throw new Error(`etcd (${binary}) ${why}:\n${this.#output}`, { cause: error });
    }
  }

  stop(): Promise<void> {
    return this.#finish('SIGTERM');
  }

  kill(): Promise<void> {
    return this.#finish('SIGKILL');
  }

  async restart(): Promise<void> {
    if (this.#finished !== null) throw new Error('etcd was stopped; it cannot be restarted');
    await this.#terminate('SIGKILL');
    await this.launch('existing');
  }

  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  output(): string {
    return this.#output;
  }

  #isRunning(): boolean {
    const child = this.#child;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  #finish(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    this.#finished ??= (async () => {
      await this.#terminate(signal);
      process.removeListener('exit', this.#onProcessExit);
      await rm(this.dataDir, { recursive: true, force: true });
    })();
    return this.#finished;
  }

  async #terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === null || !this.#isRunning()) return;
    // A stopped process only handles SIGTERM once it continues.
    child.kill('SIGCONT');
    child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(escalate);
  }
}
