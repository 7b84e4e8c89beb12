import type { Logger } from 'pino';
import type { ApplierState } from '../agency/index.ts';
import { ArangoError, isArangoError } from '../errors/index.ts';
import type { LogEntry, StorageEngine } from '../storage/index.ts';
import { EntryApplier } from './entry-applier.ts';
import { initialSync } from './initial-sync.ts';
import { LeaderClient } from './leader-client.ts';
import { recordRollback } from './rollback.ts';
import { COPY_IN_PROGRESS, type ReplicationState } from './replication-state.ts';
import { completeUnits } from './tail-units.ts';
import { HEADER, decodeEntry, splitLines } from './wire.ts';

/** The leader a follower replicates from. */
export interface ReplicationTarget {
  readonly id: string;
  readonly endpoint: string;
  /** The leader's term (its agency key's create revision); answers carrying another are ignored. */
  readonly term: number;
}

/** Collaborators and settings of an {@link Applier}. */
export interface ApplierOptions {
  readonly engine: StorageEngine;
  readonly state: ReplicationState;
  readonly serverId: string;
  /** The deployment's superuser JWT for replication calls. */
  readonly token: () => string;
  readonly onUsersChanged: () => void;
  /** A follower lagging more ticks (µs) than this is not a failover candidate. */
  readonly maxLagTicks: number;
  readonly log: Logger;
  /** Long-poll wait of each tail request, ms (default 1000). */
  readonly longPollMs?: number;
}

class LeaderChanged extends Error {}

const FORK_PAGE = 500;

/**
 * The follower's replication applier. State machine (published in the member record):
 * `none` → (fork check) → `initial-sync` when needed → `tailing`; a tail answer saying the
 * follower's tick is no longer in the leader's log (`frompresent: false`) goes back to
 * `initial-sync`; `error` while retrying after a failure in sync; `stopped` after `stop()`.
 * A follower that loses its leader mid-tailing stays `tailing` (its data is complete up to
 * `appliedTick`): that is what makes it a failover candidate.
 */
export class Applier {
  readonly #o: ApplierOptions;
  readonly #entries: EntryApplier;
  #phase: ApplierState = 'none';
  #client: LeaderClient | null = null;
  #running: Promise<void> | null = null;
  #leaderTick = 0;
  #lagSamples: number[] = [];

  constructor(options: ApplierOptions) {
    this.#o = options;
    this.#entries = new EntryApplier(options.engine, options.state, options.log, options.onUsersChanged);
  }

  get phase(): ApplierState {
    return this.#phase;
  }

  /** The last leader tick applied durably. */
  get appliedTick(): number {
    return this.#o.state.appliedTick;
  }

  /** Ticks (µs) behind the leader's newest tick as last reported by it. */
  get lagTicks(): number {
    return Math.max(0, this.#leaderTick - this.appliedTick);
  }

  /** Tailing and within the failover lag limit: may take over when the leader dies. */
  isEligible(): boolean {
    return this.#phase === 'tailing' && this.lagTicks <= this.#o.maxLagTicks;
  }

  /** Replication lag of recently applied entries (apply time − leader tick time), ms; `reset` clears. */
  lagStats(reset: boolean): { count: number; p50: number; p99: number; max: number } {
    const s = [...this.#lagSamples].sort((a, b) => a - b);
    if (reset) this.#lagSamples = [];
    const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
    return { count: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? 0 };
  }

  /** Starts replicating from `target` (stopping a previous run first). */
  async start(target: ReplicationTarget): Promise<void> {
    await this.stop();
    const client = new LeaderClient(target.endpoint, this.#o.token);
    this.#client = client;
    this.#phase = 'none';
    this.#running = this.#run(client, target);
  }

  /** Stops at once (open requests are aborted) and waits until nothing is applied any more. */
  async stop(): Promise<void> {
    this.#client?.abort();
    this.#client = null;
    await this.#running;
    this.#running = null;
    this.#phase = 'stopped';
  }

  async #run(client: LeaderClient, target: ReplicationTarget): Promise<void> {
    const log = this.#o.log.child({ leader: target.id, term: target.term });
    let forceSync = false;
    let delay = 50;
    while (!client.aborted) {
      try {
        const from = await this.#prepare(client, target, forceSync, log);
        forceSync = false;
        delay = 50;
        const outcome = await this.#tail(client, target, from);
        if (outcome === 'resync') forceSync = true;
      } catch (err) {
        if (client.aborted) break;
        if (err instanceof LeaderChanged) log.info('the server answering is no longer the leader of this term; waiting for the agency');
        else log[delay >= 1000 ? 'warn' : 'debug']({ err: isArangoError(err) ? err.message : err }, 'replication failed; retrying');
        if (this.#phase === 'initial-sync') this.#phase = 'error';
        await sleep(delay);
        delay = Math.min(1000, delay * 2);
      }
    }
  }

  /** Decides where to tail from: the current position, or after a rollback and/or resync. */
  async #prepare(client: LeaderClient, target: ReplicationTarget, forceSync: boolean, log: Logger): Promise<number> {
    const { state, engine } = this.#o;
    if (this.#phase === 'tailing' && !forceSync) return state.appliedTick;
    // a copy cut short by a restart may hold parts of transactions: copy again
    if (!forceSync && state.lineage !== 'fresh' && state.consistentAt !== COPY_IN_PROGRESS) {
      const resume = state.resumeTick();
      const fork = await this.#findFork(client, resume);
      if (fork.fork === resume) {
        if (state.appliedTick !== resume) await engine.writeAtomic(() => state.putApplied(resume));
        await state.setLineage('follower');
        return resume;
      }
      if (fork.fork >= 0) await recordRollback(engine, fork.fork, fork.divergent, target.id, log);
    }
    this.#phase = 'initial-sync';
    return await initialSync({ engine, state, client, log, onUsersChanged: this.#o.onUsersChanged });
  }

  /**
   * Finds the newest tick of the local history that the leader also has (ticks identify entries:
   * a follower writes the leader's entries with the leader's ticks). Local entries above it are
   * the divergent ones. Below the leader's `max(firstTick, completeFrom)` nothing can be
   * compared; the fork is then unknown (-1) and a resync follows.
   */
  async #findFork(client: LeaderClient, resume: number): Promise<{ fork: number; divergent: LogEntry[] }> {
    const { engine, state } = this.#o;
    const info = await client.json<{ present: number[]; firstTick: number; completeFrom: number }>('PUT', '/_api/replication/kitsune/ticks', [resume]);
    if (info.present.includes(resume)) return { fork: resume, divergent: [] };
    const floor = Math.max(info.firstTick, info.completeFrom, state.completeFrom);
    const divergent: LogEntry[] = [];
    let cursor = resume;
    for (;;) {
      const page = engine.oplog.readBackward(cursor, FORK_PAGE).filter((e) => e.tick > floor);
      if (page.length === 0) return { fork: divergent.length > 0 ? floor : -1, divergent: divergent.reverse() };
      const answer = await client.json<{ present: number[] }>('PUT', '/_api/replication/kitsune/ticks', page.map((e) => e.tick));
      const present = new Set(answer.present);
      for (const e of page) {
        if (present.has(e.tick)) return { fork: e.tick, divergent: divergent.reverse() };
        divergent.push(e);
      }
      const last = page[page.length - 1];
      if (!last) break;
      cursor = last.tick - 1;
    }
    return { fork: -1, divergent: divergent.reverse() };
  }

  /**
   * Tails from `start`, one answer per transaction: an answer is whole write transactions of the
   * leader and applied as such (a rest of an unfinished one is held back, see `completeUnits`).
   * The phase becomes `tailing` once the data is consistent (`consistentAt` reached).
   */
  async #tail(client: LeaderClient, target: ReplicationTarget, start: number): Promise<'resync' | 'stopped'> {
    let from = start;
    const id = encodeURIComponent(this.#o.serverId);
    const wait = this.#o.longPollMs ?? 1000;
    const consistentAt = this.#o.state.consistentAt;
    while (!client.aborted) {
      const r = await client.request('GET', `/_api/wal/tail?global=true&from=${from}&serverId=${id}&term=${target.term}&longPoll=${wait}&chunkSize=4194304`, undefined, wait + 10_000);
      if (r.status !== 200 && r.status !== 204) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `tail answered ${r.status}: ${r.text.slice(0, 200)}`);
      if (Number(r.headers.get(HEADER.term)) !== target.term) throw new LeaderChanged();
      if (r.headers.get(HEADER.fromPresent) === 'false') {
        this.#o.log.warn({ from }, 'the leader no longer has the log after our tick; resyncing incrementally');
        return 'resync';
      }
      this.#leaderTick = Math.max(this.#leaderTick, Number(r.headers.get(HEADER.lastTick) ?? 0));
      let scanned = from;
      if (r.status === 200) {
        const { whole, heldBack } = completeUnits(splitLines(r.text).map(decodeEntry));
        if (whole.length === 0) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `the leader's answer after tick ${from} holds only part of a transaction`);
        if (client.aborted) break;
        await this.#entries.apply(whole);
        const now = Date.now();
        for (const e of whole) this.#lagSamples.push(now - e.tick / 1000);
        if (this.#lagSamples.length > 200_000) this.#lagSamples = this.#lagSamples.slice(-100_000);
        if (heldBack > 0) {
          this.#o.log.warn({ from, heldBack }, "the leader's answer ended inside a transaction; that part is not applied and is asked for again");
          from = whole.at(-1)?.tick ?? from;
          scanned = from;
        } else {
          from = Number(r.headers.get(HEADER.lastIncluded) ?? from) || from;
          scanned = Math.max(from, Number(r.headers.get(HEADER.lastScanned) ?? 0) || 0);
        }
      } else scanned = Math.max(from, Number(r.headers.get(HEADER.lastScanned) ?? 0) || 0);
      this.#leaderTick = Math.max(this.#leaderTick, from);
      if (scanned >= consistentAt) this.#phase = 'tailing';
    }
    return 'stopped';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
