import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import type { HostCall } from './runtime/protocol.ts';

type Job = Record<string, unknown> & { _key: string; status: string; queue: string; type: { name: string; mount: string; backOff?: unknown }; delayUntil: number };

const FOREVER = -1;
const num = (x: unknown, dflt: number): number => (typeof x === 'number' && Number.isFinite(x) ? x : x === Infinity || (typeof x === 'number' && x < 0) ? FOREVER : dflt);

/** Runs one job's script in a worker: `(database, mount, scriptName, [data, jobId]) → result`. */
export type JobExecutor = (database: string, mount: string, name: string, argv: unknown[]) => Promise<unknown>;
/** Evaluates a stored callback/backOff source in the service's worker context. */
export type CallbackExecutor = (database: string, mount: string, source: string, args: unknown[]) => Promise<unknown>;

/**
 * Foxx queues (spec §4.9): `_queues`/`_jobs` documents, the operations `@arangodb/foxx/queues`
 * calls, and the poller that runs due jobs in the workers. Only runs jobs while this server is the
 * Foxxmaster (`setMaster`), the single switch active failover flips.
 */
export class QueueService {
  readonly #engine: StorageEngine;
  readonly #log: Logger;
  readonly #running = new Set<string>();
  #master = true;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #execute: JobExecutor | undefined;
  #callback: CallbackExecutor | undefined;

  constructor(engine: StorageEngine, log: Logger) {
    this.#engine = engine;
    this.#log = log;
  }

  #jobs(database: string): Job[] {
    const c = this.#engine.findCollection(database, '_jobs');
    return c === undefined ? [] : ([...c.all()] as unknown as Job[]);
  }

  async #update(database: string, key: string, patch: Record<string, unknown>): Promise<void> {
    const c = this.#engine.collection(database, '_jobs');
    await this.#engine.write((tx) => (c.get(key) === undefined ? undefined : c.update(tx, key, { ...patch, modified: Date.now() }, { ignoreRevs: true })));
  }

  /** The `queue.*` / `job.*` host calls of `@arangodb/foxx/queues`. */
  async handle(call: HostCall): Promise<unknown> {
    const { database, args } = call;
    const queues = this.#engine.collection(database, '_queues');
    const jobs = this.#engine.collection(database, '_jobs');
    const name = typeof args.name === 'string' ? args.name : '';
    const jobKey = (): string => String(args.id ?? '').replace(/^_jobs\//, '');
    switch (call.op) {
      case 'queue.create': {
        const maxWorkers = typeof args.maxWorkers === 'number' ? args.maxWorkers : 1;
        await this.#engine.write((tx) => (queues.get(name) === undefined ? queues.insert(tx, { _key: name, maxWorkers }) : queues.update(tx, name, { maxWorkers }, { ignoreRevs: true })));
        return null;
      }
      case 'queue.get':
        if (queues.get(name) === undefined && name !== 'default') throw new Error(`Queue does not exist: ${name}`);
        return null;
      case 'queue.delete': {
        if (queues.get(name) === undefined) return false;
        await this.#engine.write((tx) => queues.remove(tx, name, { ignoreRevs: true }));
        return true;
      }
      case 'job.push': {
        const opts = (args.opts ?? {}) as Record<string, unknown>;
        const type = (args.type ?? {}) as Record<string, unknown>;
        const now = Date.now();
        const delayUntil = (typeof opts.delayUntil === 'number' ? opts.delayUntil : now) + (typeof opts.delay === 'number' ? opts.delay : 0);
        const doc = {
          status: 'pending',
          queue: String(args.queue),
          type,
          data: args.data ?? null,
          failures: [],
          runs: 0,
          runFailures: 0,
          created: now,
          modified: now,
          delayUntil,
          maxFailures: num(opts.maxFailures ?? type.maxFailures, 0),
          repeatTimes: num(opts.repeatTimes, 0),
          repeatUntil: num(opts.repeatUntil, FOREVER),
          repeatDelay: num(opts.repeatDelay, 0),
          backOff: opts.backOff ?? type.backOff ?? 1000,
          success: typeof opts.success === 'string' ? opts.success : null,
          failure: typeof opts.failure === 'string' ? opts.failure : null,
        };
        const meta = await this.#engine.write((tx) => jobs.insert(tx, doc));
        this.poll();
        return meta._id;
      }
      case 'job.get': {
        const doc = jobs.get(jobKey());
        if (doc === undefined) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', `Job not found: ${jobKey()}`);
        return doc;
      }
      case 'job.delete': {
        if (jobs.get(jobKey()) === undefined) return false;
        await this.#engine.write((tx) => jobs.remove(tx, jobKey(), { ignoreRevs: true }));
        return true;
      }
      case 'job.abort':
        await this.#update(database, jobKey(), { status: 'failed', failures: [...((jobs.get(jobKey())?.failures as unknown[]) ?? []), { message: 'Job aborted.' }] });
        return null;
      case 'job.reset':
        await this.#update(database, jobKey(), { status: 'pending', runFailures: 0, delayUntil: Date.now() });
        return null;
      case 'job.list': {
        const type = args.type as { name?: string; mount?: string } | null;
        return this.#jobs(database)
          .filter((j) => j.queue === args.queue && (args.status === undefined || args.status === null || j.status === args.status))
          .filter((j) => type === null || ((type.name === undefined || j.type.name === type.name) && (type.mount === undefined || j.type.mount === type.mount)))
          .sort((a, b) => a.delayUntil - b.delayUntil)
          .map((j) => `_jobs/${j._key}`);
      }
      default:
        throw new ArangoError('ERROR_NOT_IMPLEMENTED', `unknown queue call ${call.op}`);
    }
  }

  /** Jobs a crash left in `progress` go back to `pending` (start and failover). */
  async resetProgress(): Promise<void> {
    for (const db of this.#engine.databaseNames()) {
      for (const job of this.#jobs(db)) if (job.status === 'progress' && !this.#running.has(`${db}/${job._key}`)) await this.#update(db, job._key, { status: 'pending' });
    }
  }

  /** Starts polling every `pollMs`; jobs run through `execute`. */
  start(pollMs: number, execute: JobExecutor, callback: CallbackExecutor): void {
    this.#execute = execute;
    this.#callback = callback;
    this.#timer = setInterval(() => this.poll(), pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#execute = undefined;
  }

  /** The Foxxmaster switch: only the master runs jobs; becoming master resets stale `progress` jobs. */
  setMaster(isMaster: boolean): void {
    const was = this.#master;
    this.#master = isMaster;
    if (isMaster && !was) void this.resetProgress().then(() => this.poll());
  }

  get isMaster(): boolean {
    return this.#master;
  }

  /** One scan: per queue, free slots = maxWorkers − running; due pending jobs start in delay order. */
  poll(): void {
    if (!this.#master || this.#polling || this.#execute === undefined) return;
    this.#polling = true;
    this.#pollOnce()
      .catch((err: unknown) => this.#log.error({ err }, 'Foxx queue poll failed'))
      .finally(() => {
        this.#polling = false;
      });
  }

  async #pollOnce(): Promise<void> {
    const now = Date.now();
    for (const db of this.#engine.databaseNames()) {
      const all = this.#jobs(db);
      const due = all.filter((j) => j.status === 'pending' && j.delayUntil <= now).sort((a, b) => a.delayUntil - b.delayUntil);
      if (due.length === 0) continue;
      const queues = this.#engine.findCollection(db, '_queues');
      for (const job of due) {
        const maxWorkers = Number(queues?.get(job.queue)?.maxWorkers ?? 1);
        const busy = all.filter((j) => j.queue === job.queue && j.status === 'progress').length;
        if (busy >= maxWorkers) continue;
        job.status = 'progress';
        await this.#update(db, job._key, { status: 'progress' });
        this.#running.add(`${db}/${job._key}`);
        void this.#run(db, job).finally(() => this.#running.delete(`${db}/${job._key}`));
      }
    }
  }

  async #run(db: string, job: Job): Promise<void> {
    const execute = this.#execute;
    if (execute === undefined) return;
    const id = `_jobs/${job._key}`;
    const runs = Number(job.runs ?? 0);
    const runFailures = Number(job.runFailures ?? 0);
    try {
      const result = await execute(db, job.type.mount, job.type.name, [job.data, id]);
      const nextRuns = runs + 1;
      const repeatTimes = Number(job.repeatTimes);
      const repeatUntil = Number(job.repeatUntil);
      const repeat = (repeatTimes === FOREVER || nextRuns <= repeatTimes) && repeatTimes !== 0 && (repeatUntil === FOREVER || Date.now() <= repeatUntil);
      await this.#update(db, job._key, repeat ? { status: 'pending', runs: nextRuns, runFailures: 0, delayUntil: Date.now() + Number(job.repeatDelay ?? 0) } : { status: 'complete', runs: nextRuns });
      if (typeof job.success === 'string') await this.#callback?.(db, job.type.mount, job.success, [result, job.data, { ...job, status: 'complete' }]).catch(() => undefined);
    } catch (err) {
      const failures = [...((job.failures as unknown[]) ?? []), { message: err instanceof Error ? err.message : String(err), date: Date.now() }];
      const n = runFailures + 1;
      const maxFailures = Number(job.maxFailures);
      if (maxFailures !== FOREVER && n > maxFailures) {
        await this.#update(db, job._key, { status: 'failed', runFailures: n, failures });
        if (typeof job.failure === 'string') await this.#callback?.(db, job.type.mount, job.failure, [err instanceof Error ? err.message : String(err), job.data, job]).catch(() => undefined);
        return;
      }
      let delay = 1000;
      if (typeof job.backOff === 'number') delay = job.backOff * 2 ** (n - 1);
      else if (typeof job.backOff === 'string') delay = Number(await this.#callback?.(db, job.type.mount, job.backOff, [n]).catch(() => 1000)) || 0;
      await this.#update(db, job._key, { status: 'pending', runFailures: n, failures, delayUntil: Date.now() + delay });
    }
  }
}
