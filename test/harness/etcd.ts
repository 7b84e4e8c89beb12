/**
 * Starts a real etcd (Debian package `etcd-server`) for tests: one member on free 127.0.0.1
 * ports, its own temporary data directory, Raft timings made fast for tests. The process is
 * killed and its directory removed by `stop()`/`kill()`, and at the latest when the test
 * process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
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
  readonly pid: number;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), then removes the data directory. Idempotent. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL), then removes the data directory. Idempotent. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void;
  /** Thaws a paused process (SIGCONT). */
  resume(): void;
  /** The last lines etcd wrote, for failure messages. */
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it when binding port 0). */
export async function freePort(): Promise<number> {
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
    try {
      return await startOnce(binary, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortInUseError)) throw error;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnce(binary: string, options: EtcdOptions): Promise<EtcdProcess> {
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'kitsune-etcd-'));
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const name = 'kitsune-test';
  const child = spawn(
    binary,
    [
      '--name', name,
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `${name}=${peerUrl}`,
      '--initial-cluster-state', 'new',
      '--heartbeat-interval', String(options.heartbeatIntervalMs ?? 100),
      '--election-timeout', String(options.electionTimeoutMs ?? 500),
      '--logger', 'zap',
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`could not spawn ${binary}`);
  }

  // Last-resort cleanup if a test forgets stop() or the process dies abruptly.
  const onExit = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  let finished: Promise<void> | null = null;
  const finish = (signal: NodeJS.Signals): Promise<void> => {
    finished ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        if (signal === 'SIGKILL') child.kill('SIGKILL');
        else terminate(child);
        const escalate = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(escalate);
      }
      process.removeListener('exit', onExit);
      await rm(dataDir, { recursive: true, force: true });
    })();
    return finished;
  };

  const startTimeoutMs = options.startTimeoutMs ?? 15000;
  try {
    await retry(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new EtcdExitedError();
        const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        const body: unknown = await res.json();
        if (!(res.ok && typeof body === 'object' && body !== null && (body as { health?: unknown }).health === 'true')) {
          throw new Error(`etcd not healthy yet: ${JSON.stringify(body)}`);
        }
      },
      { maxAttempts: Infinity, initialDelayMs: 20, maxDelayMs: 200, deadlineMs: startTimeoutMs },
      { shouldRetry: (error) => !(error instanceof EtcdExitedError) },
    );
  } catch (error) {
    await finish('SIGKILL');
    if (/address already in use/i.test(output)) throw new PortInUseError(`etcd port already in use:\n${output}`);
    const why = error instanceof EtcdExitedError ? 'exited during startup' : `did not become healthy within ${startTimeoutMs} ms`;
    throw new Error(`etcd (${binary}) ${why}:\n${output}`, { cause: error });
  }

  return {
    endpoint: clientUrl,
    clientPort,
    peerPort,
    dataDir,
    pid,
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
    pause: () => {
      child.kill('SIGSTOP');
    },
    resume: () => {
      child.kill('SIGCONT');
    },
    output: () => output,
  };
}

class EtcdExitedError extends Error {}

/** SIGTERM is not delivered to a stopped process until it continues, so thaw it first. */
function terminate(child: ChildProcess): void {
  child.kill('SIGCONT');
  child.kill('SIGTERM');
}
