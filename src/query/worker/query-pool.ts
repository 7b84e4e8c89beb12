import type { Logger } from 'pino';
import { ArangoError } from '../../errors/index.ts';
import type { CollectionDefinition } from '../../storage/index.ts';
import { recordQueryWait, registerQueue } from '../../common/queue-time.ts';
import { fromWireError, killedError, type FromWorker, type ToWorker, type WireExtra } from './protocol.ts';
import type { WriteSet } from './write-set.ts';
import { QueryWorker, type Job, type Pending } from './pool-worker.ts';

/** Settings of a {@link QueryPool} (from `--query.*`). */
export interface QueryPoolOptions {
  readonly lmdbPath: string;
  readonly threads: number;
  /** V8 old-generation cap of each worker, MiB: a query that escapes accounting fails alone. */
  readonly workerMemoryMb: number;
  /** Default per-query memory limit in bytes (0 = none besides the heap cap). */
  readonly memoryLimit: number;
  /** Linux niceness of the worker threads (0 = as the main thread). */
  readonly threadNice?: number;
  /** The storage's shared tick clock (`StorageEngine.tickBuffer`): revisions written by modification queries. */
  readonly tickBuffer?: SharedArrayBuffer;
  readonly log: Logger;
}

/** A batch of rows from a worker. */
export interface WorkerRows {
  readonly rows: unknown[];
  readonly done: boolean;
  readonly extra: WireExtra;
  /** A modification query's writes, still to be applied. */
  readonly writes?: WriteSet;
}

/** True when both lists hold the same definition objects (any DDL replaces a definition object). */
function sameDefinitions(a: readonly CollectionDefinition[] | undefined, b: readonly CollectionDefinition[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** After a kill flag is set, a worker that has not answered within this many ms is retired. */
const RETIRE_AFTER_MS = 40;
/**
 * A retired worker that has not left by itself within this many ms is terminated. Terminating a
 * thread while it is inside an LMDB call aborts the whole process (lmdb-js throws into a dying
 * isolate), so this is the last resort for a loop that never looks at its kill cell.
 */
const TERMINATE_RETIRED_AFTER_MS = 10_000;

/** A job is sent ahead only to a worker whose current job started less than this many ms ago. */
const AHEAD_IF_YOUNGER_MS = 2;
/** A job sent ahead is taken back (and given to another worker) once the job it waits behind ran this long. */
const REVOKE_AFTER_MS = 5;

/**
 * A pool of query worker threads (`--query.threads`). A worker runs one job (start or next batch
 * of a query) at a time; jobs beyond the pool wait in a queue. Kill sets the query's shared cell,
 * which the executor checks between rows; when a worker has not stopped within 40 ms (a long native
 * sort, a huge allocation, a starved thread) the query is answered as killed at once and the worker
 * is retired: a fresh one takes its place, and the old one leaves between jobs (or is terminated
 * after 10 s). A worker that dies (heap cap) fails only its job.
 */
export class QueryPool {
  readonly #options: QueryPoolOptions;
  #workers: QueryWorker[] = [];
  readonly #queue: Pending[] = [];
  /** Stream cursor → the worker holding it. */
  readonly #cursorHome = new Map<string, QueryWorker>();
  /** Retired workers still finishing their killed job. */
  readonly #retired = new Set<QueryWorker>();
  #jobs = 0;
  #closed = false;
  #recheck: NodeJS.Timeout | undefined;
  #claimTokens = 0;
  readonly #unregisterQueue: () => void;

  constructor(options: QueryPoolOptions) {
    this.#options = options;
    // the oldest queued query's wait is the server's queue time (x-arango-queue-time-seconds)
    this.#unregisterQueue = registerQueue(() => {
      const oldest = this.#queue[0];
      return oldest === undefined ? 0 : (performance.now() - oldest.submitted) / 1000;
    });
    for (let i = 0; i < Math.max(1, options.threads); i++) this.#workers.push(this.#spawn());
  }

  #spawn(): QueryWorker {
    return new QueryWorker(this.#options, (w, m) => this.#onMessage(w, m), (w, code) => this.#onExit(w, code));
  }

  /** Runs a job; `onStart` is called when it leaves the queue. Rejects with the query's ArangoError. */
  submit(job: Job, kill: Int32Array, onStart?: () => void): Promise<WorkerRows> {
    if (this.#closed) return Promise.reject(new ArangoError('ERROR_SHUTTING_DOWN'));
    return new Promise<WorkerRows>((resolve, reject) => {
      const p: Pending = { job, kill, resolve, reject, submitted: performance.now() };
      if (onStart) p.onStart = onStart;
      this.#queue.push(p);
      this.#dispatch();
    });
  }

  /** Sets the kill cell of a query (1 killed, 2 timeout) and terminates its worker if it does not stop in time. */
  kill(kill: Int32Array, reason: 1 | 2): void {
    Atomics.store(kill, 0, reason);
    const queued = this.#queue.findIndex((p) => p.kill === kill);
    if (queued !== -1) {
      const [p] = this.#queue.splice(queued, 1);
      p?.reject(killedError(kill));
      return;
    }
    const w = this.#workers.find((x) => x.current?.kill === kill || x.next?.kill === kill);
    if (!w) return;
    if (w.next?.kill === kill) {
      const ahead = w.revokeNext();
      if (ahead !== undefined) {
        ahead.reject(killedError(kill));
        return;
      }
    }
    setTimeout(() => {
      if ((w.current?.kill === kill || w.next?.kill === kill) && !w.dead) this.#retire(w);
    }, RETIRE_AFTER_MS).unref();
  }

  /** Answers a worker's killed job now, puts a fresh worker in its place and lets the old one leave. */
  #retire(w: QueryWorker): void {
    this.#options.log.warn('query did not stop within 40 ms of its kill; its worker is replaced');
    const p = w.current;
    w.current = undefined;
    this.#takeBackNext(w);
    for (const id of w.cursors) this.#cursorHome.delete(id);
    w.cursors.clear();
    const i = this.#workers.indexOf(w);
    if (i !== -1) this.#workers[i] = this.#spawn();
    this.#retired.add(w);
    w.post({ type: 'exit' });
    w.retired = setTimeout(() => {
      if (!w.dead) {
        this.#options.log.warn('a retired query worker did not stop within 10 s; it is terminated');
        void w.worker.terminate();
      }
    }, TERMINATE_RETIRED_AFTER_MS);
    w.retired.unref();
    if (p) p.reject(killedError(p.kill));
    this.#dispatch();
  }

  /** Forgets a stream cursor (its worker drops the state). */
  closeCursor(queryId: string): void {
    const w = this.#cursorHome.get(queryId);
    this.#cursorHome.delete(queryId);
    if (w && !w.dead) {
      w.cursors.delete(queryId);
      w.post({ type: 'close', queryId });
    }
  }

  /** Puts the job sent ahead to `w` back at the head of the queue (or fails it if the thread already took it). */
  #takeBackNext(w: QueryWorker): void {
    const ahead = w.next;
    if (ahead === undefined) return;
    if (w.revokeNext() !== undefined) {
      if (this.#closed) ahead.reject(new ArangoError('ERROR_SHUTTING_DOWN'));
      else this.#queue.unshift(ahead);
    }
    else {
      w.next = undefined;
      ahead.reject(new ArangoError('ERROR_INTERNAL', 'query failed: its worker stopped'));
    }
  }

  #dispatch(): void {
    // jobs sent ahead behind a job that turned out long go back to the queue (another worker may be free)
    const now = performance.now();
    for (const w of this.#workers) {
      if (w.next !== undefined && now - w.startedAt > REVOKE_AFTER_MS) {
        const ahead = w.revokeNext();
        if (ahead !== undefined) this.#queue.unshift(ahead);
      }
    }
    for (let i = 0; i < this.#queue.length; ) {
      const p = this.#queue[i];
      if (p === undefined) break;
      const home = p.job.message.type === 'more' ? this.#cursorHome.get(p.job.message.queryId) : undefined;
      if (p.job.message.type === 'more' && home === undefined) {
        this.#queue.splice(i, 1);
        p.reject(new ArangoError('ERROR_CURSOR_NOT_FOUND', 'cursor lost (its query worker was replaced)'));
        continue;
      }
      const w = home ?? this.#idle();
      if (w === undefined || w.current !== undefined || w.dead) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#start(w, p);
    }
    // what still waits: one query each is sent ahead to busy workers whose current job is young,
    // so a thread goes from job to job without waiting for the main thread in between
    for (let i = 0; i < this.#queue.length; ) {
      const p = this.#queue[i];
      if (p === undefined) break;
      if (p.job.message.type !== 'run') {
        i++;
        continue;
      }
      const w = this.#workers.find((x) => !x.dead && x.current !== undefined && x.next === undefined && now - x.startedAt < AHEAD_IF_YOUNGER_MS);
      if (w === undefined) break;
      this.#queue.splice(i, 1);
      this.#sendAhead(w, p);
    }
    if (this.#workers.some((w) => w.next !== undefined) && this.#recheck === undefined) {
      this.#recheck = setTimeout(() => {
        this.#recheck = undefined;
        this.#dispatch();
      }, REVOKE_AFTER_MS + 1);
      this.#recheck.unref();
    }
  }

  #sendAhead(w: QueryWorker, p: Pending): void {
    const job = p.job;
    if (job.message.type !== 'run' || !('definitions' in job)) return;
    if (!sameDefinitions(w.sent.get(job.database), job.definitions)) {
      w.post({ type: 'catalog', database: job.database, definitions: job.definitions });
      w.sent.set(job.database, job.definitions);
    }
    // a fresh token each time: a job taken back and sent ahead again must not be run by its old message
    this.#claimTokens = (this.#claimTokens % 0x3fffffff) + 1;
    const token = this.#claimTokens;
    const slot = w.claimFor(token);
    p.claimSlot = slot;
    p.claimToken = token;
    w.next = p;
    w.post({ ...job.message, claim: { claims: w.claims.buffer as SharedArrayBuffer, slot, token } });
  }

  /** The job sent ahead becomes the current one (the thread runs it next). */
  #promote(w: QueryWorker): void {
    const p = w.next;
    if (p === undefined) return;
    w.next = undefined;
    w.current = p;
    w.startedAt = performance.now();
    p.onStart?.();
    recordQueryWait((performance.now() - p.submitted) / 1000);
  }

  #idle(): QueryWorker | undefined {
    let best: QueryWorker | undefined;
    for (const w of this.#workers) if (!w.dead && w.current === undefined && (best === undefined || w.cursors.size < best.cursors.size)) best = w;
    return best;
  }

  #start(w: QueryWorker, p: Pending): void {
    w.current = p;
    w.startedAt = performance.now();
    const job = p.job;
    if ('definitions' in job && !sameDefinitions(w.sent.get(job.database), job.definitions)) {
      w.post({ type: 'catalog', database: job.database, definitions: job.definitions });
      w.sent.set(job.database, job.definitions);
    }
    p.onStart?.();
    recordQueryWait((performance.now() - p.submitted) / 1000);
    w.post(job.message);
  }

  #onMessage(w: QueryWorker, m: FromWorker): void {
    const p = w.current;
    if (p === undefined || p.job.message.job !== m.job) return;
    w.current = undefined;
    const queryId = p.job.message.queryId;
    if (m.type === 'rows') {
      if (m.done) {
        w.cursors.delete(queryId);
        this.#cursorHome.delete(queryId);
      } else {
        w.cursors.add(queryId);
        this.#cursorHome.set(queryId, w);
      }
      p.resolve(m.writes === undefined ? { rows: m.rows, done: m.done, extra: m.extra } : { rows: m.rows, done: m.done, extra: m.extra, writes: m.writes });
    } else {
      w.cursors.delete(queryId);
      this.#cursorHome.delete(queryId);
      p.reject(fromWireError(m.error));
    }
    this.#promote(w);
    this.#dispatch();
  }

  #onExit(w: QueryWorker, code: number): void {
    if (w.retired !== undefined) {
      clearTimeout(w.retired);
      this.#retired.delete(w);
      return;
    }
    for (const id of w.cursors) this.#cursorHome.delete(id);
    const p = w.current;
    w.current = undefined;
    this.#takeBackNext(w);
    if (p) {
      if (Atomics.load(p.kill, 0) !== 0) p.reject(killedError(p.kill));
      else if (w.failure === undefined || (w.failure as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        p.reject(new ArangoError('ERROR_RESOURCE_LIMIT', `query failed: its worker ran out of memory (exit code ${code})`));
      } else p.reject(new ArangoError('ERROR_INTERNAL', `query failed: its worker stopped (${w.failure.message})`));
    }
    const i = this.#workers.indexOf(w);
    if (i !== -1 && !this.#closed) {
      this.#workers[i] = this.#spawn();
      this.#dispatch();
    }
  }

  /** A new job number. */
  nextJob(): number {
    return ++this.#jobs;
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True when no worker runs a job and none waits. */
  get idle(): boolean {
    return this.#queue.length === 0 && this.#workers.every((w) => w.current === undefined);
  }

  /** Stops every worker; queued jobs fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unregisterQueue();
    for (const p of this.#queue.splice(0)) p.reject(new ArangoError('ERROR_SHUTTING_DOWN'));
    await Promise.all([...this.#workers, ...this.#retired].map((w) => w.worker.terminate()));
  }
}
