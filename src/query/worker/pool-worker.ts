// One thread of the query pool and the jobs it holds (see query-pool.ts).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CollectionDefinition } from '../../storage/index.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import type { QueryPoolOptions, WorkerRows } from './query-pool.ts';

/** A start (with the database's current collection definitions) or the next batch of a stream cursor. */
export type Job =
  | { readonly message: Extract<ToWorker, { type: 'run' }>; readonly definitions: readonly CollectionDefinition[]; readonly database: string }
  | { readonly message: Extract<ToWorker, { type: 'more' }> };

/** A job submitted to the pool, with how to answer it. */
export interface Pending {
  readonly job: Job;
  /** Set while the job was sent ahead to a busy worker: its slot in that worker's claim cells and the token it holds. */
  claimSlot?: number;
  claimToken?: number;
  /** `performance.now()` when it was submitted. */
  readonly submitted: number;
  readonly kill: Int32Array;
  readonly resolve: (r: WorkerRows) => void;
  readonly reject: (e: unknown) => void;
  onStart?: () => void;
}

const ENTRY = fileURLToPath(new URL('./query-worker-entry.mjs', import.meta.url));

/** A query worker thread with its current job, the job sent ahead to it, and the cursors it holds. */
export class QueryWorker {
  readonly worker: Worker;
  /** The definitions last sent per database (identity-compared to skip resending). */
  readonly sent = new Map<string, readonly CollectionDefinition[]>();
  current: Pending | undefined;
  /** A job sent ahead while `current` runs, so the thread never waits for the main thread between jobs. */
  next: Pending | undefined;
  /** When `current` started (performance.now()). */
  startedAt = 0;
  /** Claim cells of jobs sent ahead (see protocol `claim`), two slots used in turn. */
  readonly claims = new Int32Array(new SharedArrayBuffer(8));
  /** Stream cursors whose state lives in this worker. */
  readonly cursors = new Set<string>();
  dead = false;
  /** Replaced after a kill it did not heed in time; leaves once its job stops. */
  retired: NodeJS.Timeout | undefined;
  /** What the thread failed with, if it failed ('error' comes before 'exit'). */
  failure: Error | undefined;

  constructor(options: QueryPoolOptions, onMessage: (w: QueryWorker, m: FromWorker) => void, onExit: (w: QueryWorker, code: number) => void) {
    this.worker = new Worker(ENTRY, {
      workerData: { lmdbPath: options.lmdbPath, memoryLimit: options.memoryLimit, threadNice: options.threadNice ?? 0, tickBuffer: options.tickBuffer },
      resourceLimits: { maxOldGenerationSizeMb: options.workerMemoryMb },
      stdout: false,
      stderr: false,
    });
    this.worker.on('message', (m: FromWorker) => onMessage(this, m));
    this.worker.on('error', (err) => {
      this.failure = err;
      options.log.warn({ err }, 'query worker failed');
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      onExit(this, code);
    });
  }

  post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  /**
   * A claim slot for a job sent ahead, holding the job's number: the slot the current job does
   * not hold (a promoted job keeps its slot until the thread has claimed it).
   */
  claimFor(token: number): number {
    const slot = this.current?.claimSlot === 0 ? 1 : 0;
    Atomics.store(this.claims, slot, token);
    return slot;
  }

  /** Takes back the job sent ahead if the thread has not started it; true when it was taken back. */
  revokeNext(): Pending | undefined {
    const p = this.next;
    if (p === undefined || p.claimSlot === undefined || p.claimToken === undefined) return undefined;
    if (Atomics.compareExchange(this.claims, p.claimSlot, p.claimToken, 0) !== p.claimToken) return undefined;
    this.next = undefined;
    delete p.claimSlot;
    delete p.claimToken;
    return p;
  }
}

