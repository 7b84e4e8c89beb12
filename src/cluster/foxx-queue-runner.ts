import type { Logger } from 'pino';
import type { ServiceManager } from '../foxx/manager.ts';
import { callServer, relayError } from './forward.ts';

/** What the Foxxmaster's queue runner needs. */
export interface QueueRunnerDeps {
  readonly serverId: string;
  readonly manager: ServiceManager;
  readonly leaderEndpoint: (database: string) => Promise<string>;
  readonly superuser: () => string;
  readonly databaseNames: () => string[];
  readonly pollMs: number;
  /** How long a claimed job stays ours without a renewal (renewed every third of it). */
  readonly leaseMs?: number;
  readonly log: Logger;
}

type Job = Record<string, unknown> & { _key: string; queue: string; type: { name: string; mount: string }; data: unknown; runs?: number; runFailures?: number; failures?: unknown[] };

const FOREVER = -1;
const DEFAULT_LEASE_MS = 10_000;

const CLAIM = `FOR j IN _jobs FILTER j._key == @key AND j.status == 'pending'
  UPDATE j WITH { status: 'progress', startedBy: @me, leaseUntil: @lease, modified: @now } IN _jobs RETURN NEW`;
const EXPIRED = `FOR j IN _jobs FILTER j.status == 'progress' AND (j.leaseUntil == null OR j.leaseUntil < @now) AND j._key NOT IN @mine
  UPDATE j WITH { status: 'pending', modified: @now } IN _jobs RETURN NEW._key`;
const DUE = `LET busy = (FOR j IN _jobs FILTER j.status == 'progress' COLLECT q = j.queue WITH COUNT INTO n RETURN { q, n })
  LET queues = (FOR q IN _queues RETURN { q: q._key, max: q.maxWorkers })
  FOR j IN _jobs FILTER j.status == 'pending' AND j.delayUntil <= @now SORT j.delayUntil LIMIT 1000
  RETURN { job: j, busy: FIRST(FOR b IN busy FILTER b.q == j.queue RETURN b.n) || 0, max: FIRST(FOR q IN queues FILTER q.q == j.queue RETURN q.max) || 1 }`;
const RENEW = `FOR j IN _jobs FILTER j._key IN @keys AND j.startedBy == @me AND j.status == 'progress' UPDATE j WITH { leaseUntil: @lease } IN _jobs`;

/**
 * Foxx queues on the Foxxmaster coordinator (spec foxx.md §4.9, cluster.md §5). Jobs live in
 * `_jobs` of each database on its leader. A job is claimed with a lease in one AQL update
 * (`status: progress, startedBy, leaseUntil`) that only succeeds while it is still pending, so two
 * runners never take the same job; the runner renews the leases of its running jobs, and jobs whose
 * lease ran out (their Foxxmaster died) go back to `pending` and run again on the next Foxxmaster.
 * Delivery is therefore at-least-once: a job may run again after a crash, never twice at once
 * while its runner is alive.
 */
export class ClusterQueueRunner {
  readonly #d: QueueRunnerDeps;
  readonly #leaseMs: number;
  readonly #running = new Map<string, Set<string>>();
  #poll: NodeJS.Timeout | undefined;
  #renew: NodeJS.Timeout | undefined;
  #active = false;
  #polling = false;

  constructor(deps: QueueRunnerDeps) {
    this.#d = deps;
    this.#leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Starts (this coordinator became Foxxmaster) or stops claiming jobs; running jobs finish either way. */
  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    clearInterval(this.#poll);
    if (active) {
      this.#poll = setInterval(() => this.wake(), this.#d.pollMs);
      this.#poll.unref();
      this.wake();
    }
    if (this.#renew === undefined) {
      this.#renew = setInterval(() => void this.#renewLeases(), Math.max(200, Math.floor(this.#leaseMs / 3)));
      this.#renew.unref();
    }
  }

  stop(): void {
    this.#active = false;
    clearInterval(this.#poll);
    clearInterval(this.#renew);
  }

  /** One poll now (a push somewhere in the cluster, the poll timer). */
  wake(): void {
    if (!this.#active || this.#polling) return;
    this.#polling = true;
    this.#pollOnce()
      .catch((err: unknown) => this.#d.log.warn({ err }, 'Foxx queue poll failed'))
      .finally(() => {
        this.#polling = false;
      });
  }

  async #aql(database: string, query: string, bindVars: Record<string, unknown>): Promise<unknown[]> {
    const leader = await this.#d.leaderEndpoint(database);
    const r = await callServer(leader, 'POST', `/_db/${encodeURIComponent(database)}/_api/cursor`, this.#d.superuser(), { query, bindVars, batchSize: 1000 });
    if (r.status === 404) return [];
    if (r.status >= 300) relayError(r.status, r.body);
    return ((r.body as { result?: unknown[] } | null)?.result ?? []);
  }

  async #patch(database: string, key: string, patch: Record<string, unknown>): Promise<void> {
    await this.#aql(database, 'FOR j IN _jobs FILTER j._key == @key UPDATE j WITH @patch IN _jobs', { key, patch: { ...patch, modified: Date.now() } });
  }

  async #pollOnce(): Promise<void> {
    for (const database of this.#d.databaseNames()) {
      if (!this.#active) return;
      const now = Date.now();
      const reset = await this.#aql(database, EXPIRED, { now, mine: [...(this.#running.get(database) ?? [])] });
      if (reset.length > 0) this.#d.log.info({ database, jobs: reset }, 'Foxx jobs whose lease ran out are pending again');
      const due = (await this.#aql(database, DUE, { now })) as Array<{ job: Job; busy: number; max: number }>;
      const started = new Map<string, number>();
      for (const { job, busy, max } of due) {
        const n = busy + (started.get(job.queue) ?? 0);
        if (n >= max) continue;
        const [claimed] = (await this.#aql(database, CLAIM, { key: job._key, me: this.#d.serverId, lease: Date.now() + this.#leaseMs, now: Date.now() })) as Job[];
        if (claimed === undefined) continue;
        started.set(job.queue, (started.get(job.queue) ?? 0) + 1);
        let mine = this.#running.get(database);
        if (mine === undefined) {
          mine = new Set();
          this.#running.set(database, mine);
        }
        const set = mine;
        set.add(claimed._key);
        void this.#run(database, claimed).finally(() => set.delete(claimed._key));
      }
    }
  }

  async #renewLeases(): Promise<void> {
    for (const [database, keys] of this.#running) {
      if (keys.size === 0) continue;
      await this.#aql(database, RENEW, { keys: [...keys], me: this.#d.serverId, lease: Date.now() + this.#leaseMs }).catch((err: unknown) =>
        this.#d.log.warn({ err, database }, 'could not renew the leases of running Foxx jobs'),
      );
    }
  }

  async #callback(database: string, mount: string, source: string, args: unknown[]): Promise<unknown> {
    const state = this.#d.manager.state(database, mount);
    return this.#d.manager.pool.run({ type: 'callback', key: state?.spec.key ?? '', source, args });
  }

  async #run(database: string, job: Job): Promise<void> {
    const id = `_jobs/${job._key}`;
    const runs = Number(job.runs ?? 0);
    const runFailures = Number(job.runFailures ?? 0);
    try {
      const result = await this.#d.manager.runScript(database, job.type.mount, job.type.name, [job.data, id]);
      const nextRuns = runs + 1;
      const repeatTimes = Number(job.repeatTimes ?? 0);
      const repeatUntil = Number(job.repeatUntil ?? FOREVER);
      const repeat = (repeatTimes === FOREVER || nextRuns <= repeatTimes) && repeatTimes !== 0 && (repeatUntil === FOREVER || Date.now() <= repeatUntil);
      await this.#patch(database, job._key, repeat
        ? { status: 'pending', runs: nextRuns, runFailures: 0, delayUntil: Date.now() + Number(job.repeatDelay ?? 0), leaseUntil: null }
        : { status: 'complete', runs: nextRuns, leaseUntil: null });
      if (typeof job.success === 'string') await this.#callback(database, job.type.mount, job.success, [result, job.data, { ...job, status: 'complete' }]).catch(() => undefined);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const failures = [...(job.failures ?? []), { message, date: Date.now() }];
      const n = runFailures + 1;
      const maxFailures = Number(job.maxFailures ?? 0);
      if (maxFailures !== FOREVER && n > maxFailures) {
        await this.#patch(database, job._key, { status: 'failed', runFailures: n, failures, leaseUntil: null });
        if (typeof job.failure === 'string') await this.#callback(database, job.type.mount, job.failure, [message, job.data, job]).catch(() => undefined);
        return;
      }
      let delay = 1000;
      if (typeof job.backOff === 'number') delay = job.backOff * 2 ** (n - 1);
      else if (typeof job.backOff === 'string') delay = Number(await this.#callback(database, job.type.mount, job.backOff, [n]).catch(() => 1000)) || 0;
      await this.#patch(database, job._key, { status: 'pending', runFailures: n, failures, delayUntil: Date.now() + delay, leaseUntil: null });
    }
  }
}
