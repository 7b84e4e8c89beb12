import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ArangoError } from '../../errors/index.ts';
import { toWireError, type HostCall, type HostReply, type ServiceSpec, type WorkerCommand, type WorkerReply } from './protocol.ts';
import { fromWireError } from './sync-call.ts';

/** Answers a worker's synchronous host call (database, HTTP, queues). */
export type HostHandler = (call: HostCall) => Promise<unknown>;

/** Settings of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  readonly size: number;
  readonly memoryMb: number;
  readonly requestTimeoutMs: number;
  readonly host: HostHandler;
  /** Every installed service, re-loaded into a replacement worker. */
  readonly services: () => ServiceSpec[];
  readonly log: Logger;
  /** The storage's lmdb path; workers open it for direct document reads. */
  readonly lmdbPath?: string;
}

type Command = WorkerCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

const ENTRY = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  readonly #port: MessagePort;
  #nextId = 1;
  dead = false;

  constructor(options: WorkerPoolOptions, onExit: (w: PoolWorker) => void) {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const flag = new Int32Array(signal);
    this.#port = port1;
    this.worker = new Worker(ENTRY, {
      workerData: { port: port2, signal, lmdbPath: options.lmdbPath },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
      stdout: false,
      stderr: false,
    });
    port1.on('message', (call: HostCall) => {
      options.host(call).then(
        (value): HostReply => ({ ok: true, value }),
        (err: unknown): HostReply => ({ ok: false, error: toWireError(err) }),
      ).then((reply) => {
        try {
          port1.postMessage(reply);
        } catch (err) {
          port1.postMessage({ ok: false, error: toWireError(err) } satisfies HostReply);
        }
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
    });
    this.worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'log') {
        options.log[msg.level]({ service: msg.service }, msg.message);
        return;
      }
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (p.timer) clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(fromWireError(msg.error));
    });
    this.worker.on('error', (err) => options.log.error({ err }, 'foxx worker failed'));
    this.worker.on('exit', () => {
      this.dead = true;
      port1.close();
      for (const p of this.pending.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.reject(new ArangoError('ERROR_INTERNAL', 'Foxx worker stopped'));
      }
      this.pending.clear();
      onExit(this);
    });
  }

  send(cmd: Command, timeoutMs: number | undefined, onTimeout: () => void): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.pending.delete(id);
        reject(new ArangoError('ERROR_REQUEST_CANCELED', `Foxx request timed out after ${timeoutMs} ms; its worker was replaced`, { httpStatus: 500 }));
        onTimeout();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...cmd, id });
    });
  }
}

/**
 * A pool of worker threads, each holding every service. Requests go to the least busy worker;
 * a request running past the timeout terminates its worker, which is replaced (and re-loaded with
 * every service) while the others keep serving.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  #workers: PoolWorker[] = [];
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    for (let i = 0; i < options.size; i++) this.#workers.push(this.#spawn());
  }

  #spawn(): PoolWorker {
    return new PoolWorker(this.#options, (w) => this.#replace(w));
  }

  #replace(dead: PoolWorker): void {
    const i = this.#workers.indexOf(dead);
    if (i === -1 || this.#closed) return;
    const fresh = this.#spawn();
    this.#workers[i] = fresh;
    for (const spec of this.#options.services()) {
      fresh.send({ type: 'load', spec, runMain: true }, undefined, () => undefined).catch(() => undefined);
    }
  }

  #pick(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const w of this.#workers) if (!w.dead && (best === undefined || w.pending.size < best.pending.size)) best = w;
    if (best === undefined) throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'no Foxx worker available');
    return best;
  }

  /** Runs a command on the least busy worker; `timeoutMs` (default: the request timeout) kills a runaway. */
  run(cmd: Command, timeoutMs: number = this.#options.requestTimeoutMs): Promise<unknown> {
    const w = this.#pick();
    return w.send(cmd, timeoutMs, () => void w.worker.terminate());
  }

  /** Runs a command on every worker; resolves with each outcome. */
  broadcast(cmd: Command, timeoutMs: number = this.#options.requestTimeoutMs): Promise<Array<PromiseSettledResult<unknown>>> {
    return Promise.allSettled(this.#workers.filter((w) => !w.dead).map((w) => w.send(cmd, timeoutMs, () => void w.worker.terminate())));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}
