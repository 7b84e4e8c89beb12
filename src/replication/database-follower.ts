import type { Logger } from 'pino';
import { ArangoError, isArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import type { ReplicationTarget } from './applier.ts';
import { EntryApplier } from './entry-applier.ts';
import { alignCollection, syncCollection, toDefinition, type InventoryCollection } from './initial-sync.ts';
import { createCollectionIn } from './entry-applier.ts';
import { LeaderClient } from './leader-client.ts';
import { rollBackDivergent } from './database-rollback.ts';
import { ROLLBACK_COLLECTION } from './leader-feed.ts';
import { ReplicationState } from './replication-state.ts';
import { completeUnits } from './tail-units.ts';
import { HEADER, decodeEntry, splitLines } from './wire.ts';

/** Collaborators of a {@link DatabaseFollower}. */
export interface DatabaseFollowerOptions {
  readonly engine: StorageEngine;
  /** This server's id; the leader tracks the follower as `<serverId>~<database>`. */
  readonly serverId: string;
  readonly database: string;
  /** The deployment's superuser JWT. */
  readonly token: () => string;
  readonly onUsersChanged: () => void;
  readonly log: Logger;
  /** Long-poll wait of each tail request, ms (default 1000). */
  readonly longPollMs?: number;
}

export type DatabaseFollowerPhase = 'none' | 'initial-sync' | 'tailing' | 'error' | 'stopped';

class LeaderChanged extends Error {}

/**
 * Cluster mode's synchronous follower of one database (OneShard: a database is one shard).
 * Each (re)start against a leader and term first resyncs the database incrementally from the
 * leader (catalog aligned, then per collection only the documents whose revision differs), then
 * tails the leader's log filtered to this database. Every tail request's `from` is the leader
 * tick up to which everything of this database is durably applied here: that is the
 * acknowledgement the leader waits for before it answers a write. Entries are applied without
 * writing them into the local log (`logEntries: false`): the local log keeps this server's own
 * history only, and whoever follows this server later resyncs the same way.
 */
export class DatabaseFollower {
  readonly #o: DatabaseFollowerOptions;
  readonly #state: ReplicationState;
  readonly #entries: EntryApplier;
  #phase: DatabaseFollowerPhase = 'none';
  #client: LeaderClient | null = null;
  #running: Promise<void> | null = null;
  #target: ReplicationTarget | null = null;
  #wake: AbortController | null = null;

  constructor(options: DatabaseFollowerOptions) {
    this.#o = options;
    this.#state = new ReplicationState(options.engine, `db:${options.database}:`);
    this.#entries = new EntryApplier(options.engine, this.#state, options.log, options.onUsersChanged, { logEntries: false });
  }

  get phase(): DatabaseFollowerPhase {
    return this.#phase;
  }

  get target(): ReplicationTarget | null {
    return this.#target;
  }

  /** The leader tick up to which this database is applied. */
  get appliedTick(): number {
    return this.#state.appliedTick;
  }

  /** Follows `target` (a previous run is stopped first). */
  async start(target: ReplicationTarget): Promise<void> {
    await this.stop();
    const client = new LeaderClient(target.endpoint, this.#o.token);
    this.#client = client;
    this.#wake = new AbortController();
    this.#target = target;
    this.#phase = 'none';
    this.#running = this.#run(client, target);
  }

  /** Stops at once and waits until nothing is applied any more. */
  async stop(): Promise<void> {
    this.#client?.abort();
    this.#client = null;
    this.#wake?.abort();
    await this.#running;
    this.#running = null;
    this.#target = null;
    this.#phase = 'stopped';
  }

  async #run(client: LeaderClient, target: ReplicationTarget): Promise<void> {
    const log = this.#o.log.child({ database: this.#o.database, leader: target.id, term: target.term });
    let delay = 50;
    while (!client.aborted) {
      try {
        this.#phase = 'initial-sync';
        const from = await this.#sync(client, target, log);
        delay = 50;
        this.#phase = 'tailing';
        await this.#tail(client, target, from);
      } catch (err) {
        if (client.aborted) break;
        if (err instanceof LeaderChanged) log.debug('the server answering no longer leads this database in this term');
        else log[delay >= 1000 ? 'warn' : 'debug']({ err: isArangoError(err) ? err.message : err }, 'database replication failed; retrying');
        this.#phase = 'error';
        await sleep(delay, this.#wake?.signal);
        delay = Math.min(1000, delay * 2);
      }
    }
  }

  /** Incremental resync of the database from the leader; returns the leader tick S to tail from. */
  async #sync(client: LeaderClient, target: ReplicationTarget, log: Logger): Promise<number> {
    const { engine, database } = this.#o;
    // writes this server led that the new leader never received: kept in _system/_rollback first
    await rollBackDivergent({ engine, state: this.#state, client, serverId: this.#o.serverId, database, leaderId: target.id, log });
    const base = `/_db/${encodeURIComponent(database)}/_api/replication`;
    const batch = await client.json<{ id: string; lastTick: string }>('POST', `${base}/batch`, { ttl: 600 });
    const snapshot = Number(batch.lastTick);
    const fixed = (): number => snapshot;
    try {
      const inv = await client.json<{ collections: InventoryCollection[] }>('GET', `${base}/inventory?batchId=${batch.id}`);
      if (!engine.hasDatabase(database)) {
        const def = { name: database, id: engine.newId() };
        await engine.writeAtomic(() => engine.putDatabase(def), fixed);
        engine.registerDatabase(def);
      }
      const wanted = new Map(inv.collections.map((ic) => [ic.parameters.id, toDefinition(database, ic)]));
      const wantedNames = new Set(inv.collections.map((ic) => ic.parameters.name));
      for (const c of engine.collections(database)) {
        if (c.name === ROLLBACK_COLLECTION || wanted.has(c.definition.id) || wantedNames.has(c.name)) continue;
        await engine.writeAtomic(() => engine.removeCollection(c.definition), fixed);
        engine.unregisterCollection(c.definition);
      }
      for (const def of wanted.values()) {
        const local = engine.findCollection(database, def.id);
        if (local) {
          await alignCollection(engine, local, def, fixed);
          continue;
        }
        let after: () => void = () => undefined;
        await engine.writeAtomic(() => {
          after = createCollectionIn(engine, def);
        }, fixed);
        after();
      }
      let fetched = 0;
      let removed = 0;
      const deps = { engine, state: this.#state, client, log, onUsersChanged: this.#o.onUsersChanged };
      for (const id of wanted.keys()) {
        if (client.aborted) throw new ArangoError('ERROR_REPLICATION_APPLIER_STOPPED');
        const r = await syncCollection(deps, database, engine.collection(database, id), snapshot);
        fetched += r.fetched;
        removed += r.removed;
      }
      await engine.writeAtomic(() => {
        this.#state.putApplied(snapshot);
        this.#state.putAppliedFrom(target.id);
      });
      if (database === '_system') this.#o.onUsersChanged();
      log.info({ tick: snapshot, fetched, removed }, 'database synchronised from its leader');
      return snapshot;
    } finally {
      await client.request('DELETE', `${base}/batch/${batch.id}`).catch(() => undefined);
    }
  }

  async #tail(client: LeaderClient, target: ReplicationTarget, start: number): Promise<void> {
    let from = start;
    const id = encodeURIComponent(`${this.#o.serverId}~${this.#o.database}`);
    const wait = this.#o.longPollMs ?? 1000;
    const path = `/_db/${encodeURIComponent(this.#o.database)}/_api/wal/tail`;
    while (!client.aborted) {
      const r = await client.request('GET', `${path}?from=${from}&serverId=${id}&term=${target.term}&longPoll=${wait}&chunkSize=4194304`, undefined, wait + 10_000);
      if (r.status !== 200 && r.status !== 204) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `tail answered ${r.status}: ${r.text.slice(0, 200)}`);
      if (Number(r.headers.get(HEADER.term)) !== target.term) throw new LeaderChanged();
      if (r.headers.get(HEADER.fromPresent) === 'false') throw new ArangoError('ERROR_REPLICATION_START_TICK_NOT_PRESENT', 'the leader no longer has the log after our tick; resyncing');
      // whole transactions only (the leader never cuts one; a rest it did is held back and asked for again)
      let held: number | null = null;
      if (r.status === 200) {
        const { whole, heldBack } = completeUnits(splitLines(r.text).map(decodeEntry));
        if (whole.length === 0) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `the leader's answer after tick ${from} holds only part of a transaction`);
        if (client.aborted) break;
        await this.#entries.apply(whole);
        if (heldBack > 0) {
          held = whole.at(-1)?.tick ?? from;
          this.#o.log.warn({ database: this.#o.database, from, heldBack }, "the leader's answer ended inside a transaction; that part is not applied and is asked for again");
        }
      }
      // everything of this database up to the scanned tick is applied: the next request says so
      const scanned = held ?? Math.max(Number(r.headers.get(HEADER.lastIncluded) ?? 0) || 0, Number(r.headers.get(HEADER.lastScanned) ?? 0) || 0);
      if (scanned > from) from = scanned;
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (a stopping follower must not linger in its back-off). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
