import fs from 'node:fs';
import type { Logger } from 'pino';
import { ArangoError, isArangoError } from '../../errors/index.ts';
import { buildServiceProcessBundle } from './child-bundle.ts';
import type { HostCall, ServiceSpec } from './protocol.ts';
import { ServiceProcess } from './service-process.ts';

/** Settings of a {@link TrxProcessPool}. */
export interface TrxPoolSettings {
  /** The processes' working and scratch folder (nothing is written there: the actions have no fs). */
  readonly scratchDir: string;
  /** Resident memory limit of each process (MiB), as for service processes. */
  readonly memoryMb: number;
  /** Actions running at once (one per process); more wait for a free process. */
  readonly maxProcesses: number;
  readonly log: Logger;
}

/** One action to run: its stream transaction, source, params as JSON text and wall-clock limit. */
export interface TrxJob {
  readonly database: string;
  readonly trx: string;
  readonly action: string;
  readonly params: string;
  readonly timeoutMs: number;
}

/** Answers the `db` calls of the running action (JSON text in, JSON text out; never rejects for a refusal). */
export type ActionCalls = (text: string) => Promise<string>;

/** How long past its limit an action's process gets to stop the action itself before the server kills it. */
export const KILL_GRACE_MS = 1000;
/** Idle processes kept for the next actions; further ones are stopped when their action ends. */
const MAX_IDLE = 2;
const CHECK_MS = 100;

class Slot {
  current: { readonly trx: string; readonly calls: ActionCalls } | undefined;
  /** Whether an action ran in it (a spare that dies before is not replaced: no restart loop). */
  used = false;
  constructor(readonly proc: ServiceProcess) {}
}

interface Waiter {
  readonly resolve: (slot: Slot) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The processes that run JavaScript transactions' actions: service processes (same program,
 * permission model, empty environment, memory limit) that hold no service. Each runs one action at a
 * time, in a fresh context, and is reused for the next one (started on demand, at most
 * {@link MAX_IDLE} kept); a process is taken by an action only while it runs, so an action that
 * loops or blows up stops nobody else's. The server kills a process whose action is still running
 * {@link KILL_GRACE_MS} after its limit, or that goes over its memory limit; a dead process (and one
 * reniced for burning CPU, which is not reused) is replaced by a fresh spare. Host calls of a process
 * reach only the action it runs now (matched by its transaction id).
 */
export class TrxProcessPool {
  readonly #settings: TrxPoolSettings;
  readonly #idle: Slot[] = [];
  readonly #busy = new Set<Slot>();
  readonly #waiters: Waiter[] = [];
  readonly #timer: NodeJS.Timeout;
  #next = 1;
  #closed = false;

  constructor(settings: TrxPoolSettings) {
    this.#settings = settings;
    this.#timer = setInterval(() => {
      for (const s of this.#busy) s.proc.check(CHECK_MS);
    }, CHECK_MS);
    this.#timer.unref();
  }

  /** Processes running now (busy and idle). */
  get size(): number {
    return this.#busy.size + this.#idle.length;
  }

  #spawn(): Slot {
    if (this.#closed) throw new ArangoError('ERROR_SHUTTING_DOWN');
    const dir = this.#settings.scratchDir;
    fs.mkdirSync(dir, { recursive: true });
    // a spec without a service: the process gets read access to kitsune's packages and this folder only
    const spec: ServiceSpec = {
      key: `jstrx:${this.#next++}`,
      database: '',
      mount: '',
      root: dir,
      tmpDir: dir,
      manifest: { $schema: '', author: '', description: '', configuration: {}, dependencies: {}, files: {}, scripts: {}, tests: [] },
      configuration: {},
      dependencies: {},
      development: false,
    };
    let slot: Slot | undefined;
    const host = (call: HostCall): Promise<unknown> => {
      const current = slot?.current;
      if (call.op !== 'jstrx.call' || current === undefined || call.args['trx'] !== current.trx) {
        return Promise.reject(new ArangoError('ERROR_FORBIDDEN', 'not a call of the running JavaScript transaction'));
      }
      return current.calls(String(call.args['call']));
    };
    const proc = new ServiceProcess(spec, { maxMemoryMb: this.#settings.memoryMb, cpuTimeoutMs: Number.MAX_SAFE_INTEGER }, host, this.#settings.log, () => {
      if (slot !== undefined) this.#exited(slot);
    });
    slot = new Slot(proc);
    return slot;
  }

  #exited(slot: Slot): void {
    const i = this.#idle.indexOf(slot);
    if (i !== -1) this.#idle.splice(i, 1);
    this.#busy.delete(slot);
    // a killed action's process is replaced (once its answer is out), so the next action finds one ready
    if (slot.used) setImmediate(() => this.#spare());
  }

  /** Starts a process ahead of the next action when none is idle. */
  #spare(): void {
    if (!this.#closed && this.#idle.length === 0 && this.size < this.#settings.maxProcesses) this.#idle.push(this.#spawn());
  }

  /** An idle process, a new one, or the next one to become free. */
  #acquire(deadline: number): Promise<Slot> {
    for (let s = this.#idle.pop(); s !== undefined; s = this.#idle.pop()) {
      if (s.proc.dead) continue;
      this.#busy.add(s);
      return Promise.resolve(s);
    }
    if (this.size < this.#settings.maxProcesses) {
      const s = this.#spawn();
      this.#busy.add(s);
      return Promise.resolve(s);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new ArangoError('ERROR_RESOURCE_LIMIT', `all ${this.#settings.maxProcesses} JavaScript transaction processes stayed busy`, { httpStatus: 503 }));
        }, Math.max(0, deadline - Date.now())),
      };
      this.#waiters.push(waiter);
    });
  }

  #release(slot: Slot): void {
    slot.current = undefined;
    this.#busy.delete(slot);
    if (slot.proc.dead) return;
    if (slot.proc.reniced) {
      // it ran a CPU-bound action at the lowest priority: the next actions get a fresh process
      slot.proc.kill();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      this.#busy.add(slot);
      waiter.resolve(slot);
    } else if (this.#closed || this.#idle.length >= MAX_IDLE) {
      slot.proc.kill();
    } else {
      this.#idle.push(slot);
    }
  }

  /**
   * Runs `job` in a free process, answering its `db` calls with `calls`; resolves with the
   * action's outcome as JSON text (trx-action.ts). Rejects when the action could not run to the
   * end: it did not compile, or went over its time or memory limit, or its process died (all 1650).
   */
  async run(job: TrxJob, calls: ActionCalls): Promise<string> {
    const started = Date.now();
    await buildServiceProcessBundle();
    const slot = await this.#acquire(started + job.timeoutMs);
    slot.current = { trx: job.trx, calls };
    slot.used = true;
    const timeoutMs = Math.max(1, job.timeoutMs - (Date.now() - started));
    // the process stops the action itself at the limit; this is for one that no longer listens
    const killer = setTimeout(() => {
      this.#settings.log.warn({ process: slot.proc.key, timeoutMs: job.timeoutMs }, 'JavaScript transaction still running after its limit; killing its process');
      slot.proc.kill(new ArangoError('ERROR_TRANSACTION_INTERNAL', `the transaction's action ran longer than ${job.timeoutMs} ms; its process was stopped`, { httpStatus: 500 }));
    }, timeoutMs + KILL_GRACE_MS);
    try {
      const command = { type: 'jstrx', key: slot.proc.key, database: job.database, trx: job.trx, action: job.action, params: job.params, timeoutMs, limitMs: job.timeoutMs } as const;
      const out = await slot.proc.send(command, Number.MAX_SAFE_INTEGER);
      if (typeof out !== 'string') throw new ArangoError('ERROR_TRANSACTION_INTERNAL', 'the action gave no result');
      return out;
    } catch (err) {
      // the action's own failure (it did not compile, or ran out of time in its process), as it came
      if (!slot.proc.dead || (isArangoError(err) && err.errorNum === 1650)) throw err;
      // its process died: over the resident memory limit (killed), out of V8 heap, or a crash
      const memory = (isArangoError(err) && err.errorNum === 32) || /heap out of memory|Allocation failed/.test(slot.proc.stderrTail);
      const why = memory ? `went over the memory limit of ${this.#settings.memoryMb} MiB` : `ended its process (${err instanceof Error ? err.message : String(err)})`;
      throw new ArangoError('ERROR_TRANSACTION_INTERNAL', `the transaction's action ${why}; its process was stopped`, { httpStatus: 500 });
    } finally {
      clearTimeout(killer);
      this.#release(slot);
    }
  }

  /** Stops every process (running actions fail) and refuses new actions. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new ArangoError('ERROR_SHUTTING_DOWN'));
    }
    const procs = [...this.#idle.splice(0), ...this.#busy].map((s) => s.proc);
    this.#busy.clear();
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
      if (p.dead) resolve();
      else p.child.once('exit', () => resolve());
      p.kill();
    })));
  }
}
