/**
 * Small helpers shared by the agency tests: a capturing logger and waits that end on an event
 * or a deadline (never a fixed sleep).
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { after, afterEach, before } from 'node:test';
import { AgencyClient, type AgencyClientOptions } from '../../src/agency/index.ts';
import { startEtcd, type EtcdProcess } from '../harness/etcd.ts';

/** A pino logger that keeps its lines in memory so a failing test can print them. */
export function captureLogger(): { log: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8').trimEnd());
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => lines };
}

/**
 * Records values pushed by a listener and lets a test await the first one matching a predicate,
 * failing after `timeoutMs` with a message naming `what` and the values seen.
 */
export class Recorder<T> {
  readonly values: T[] = [];
  #waiters: { match: (v: T) => boolean; resolve: (v: T) => void }[] = [];

  push = (value: T): void => {
    this.values.push(value);
    for (const w of [...this.#waiters]) {
      if (w.match(value)) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve(value);
      }
    }
  };

  /** Resolves with the first value (already recorded or future) for which `match` holds. */
  waitFor(match: (v: T) => boolean, options: { timeoutMs: number; what: string }): Promise<T> {
    const seen = this.values.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== waiter);
        reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}; saw ${JSON.stringify(this.values)}`));
      }, options.timeoutMs);
      const waiter = {
        match,
        resolve: (v: T) => {
          clearTimeout(timer);
          resolve(v);
        },
      };
      this.#waiters.push(waiter);
    });
  }
}

export { waitFor } from '../harness/wait-for.ts';

/** A deployment name unique to one test, so tests sharing an etcd never see each other's keys. */
export function uniqueDeployment(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * One etcd for a `describe` block plus a factory of connected clients, all closed after each
 * test (etcd is thawed first, in case a test froze it).
 */
export function useEtcdSuite(defaults: { leaseTtlSeconds: number; requestTimeoutMs?: number }): {
  etcd: () => EtcdProcess;
  member: (deployment: string, memberId: string, overrides?: Partial<AgencyClientOptions>) => Promise<AgencyClient>;
} {
  let etcd: EtcdProcess | undefined;
  const clients: AgencyClient[] = [];
  const current = (): EtcdProcess => {
    if (!etcd) throw new Error('etcd is not running');
    return etcd;
  };
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    current().resume();
    await current().stop();
  });
  afterEach(async () => {
    current().resume();
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  return {
    etcd: current,
    async member(deployment, memberId, overrides = {}) {
      const client = new AgencyClient({
        endpoints: [current().endpoint],
        deployment,
        memberId,
        ...defaults,
        log: captureLogger().log,
        ...overrides,
      });
      clients.push(client);
      await client.connect();
      return client;
    },
  };
}
