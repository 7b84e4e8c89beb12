import type { Etcd3 } from 'etcd3';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../common/clock.ts';
import { ArangoError, isArangoError } from '../errors/index.ts';
import { AgencyKv } from './agency-kv.ts';
import { createEtcdClient } from './create-etcd-client.ts';
import { leaderFromKeyValue, toRevision } from './etcd-values.ts';
import { agencyKeys, assertKeySegment, type AgencyKeys } from './keys.ts';
import { LeaderWatch, type LeaderListener } from './leader-watch.ts';
import { LeaseSession, type LeaseLostEvent, type LeaseRecoveredEvent } from './lease-session.ts';
import {
  assertTick,
  decodeMemberInfo,
  encodeLeaderValue,
  encodeMemberInfo,
  type LeaderInfo,
  type LeaderValue,
  type MemberInfo,
  type MemberUpdate,
} from './records.ts';

/** Configuration and collaborators of an {@link AgencyClient}. Durations in ms unless named otherwise. */
export interface AgencyClientOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. */
  readonly endpoints: readonly string[];
  /** Deployment name: the key prefix `/kitsune/<deployment>/`. */
  readonly deployment: string;
  /** This member's id; names its `members/<id>` key and must be the `id` of its leader value. */
  readonly memberId: string;
  /** TTL of the member's lease; etcd raises values below its minimum (ceil(1.5 × election timeout)). */
  readonly leaseTtlSeconds: number;
  /** Keep-alive period; default min(1000, TTL/3). */
  readonly keepAliveIntervalMs?: number;
  /** An unanswered keep-alive older than this reopens its stream; default max(1000, 2 × interval). */
  readonly keepAliveTimeoutMs?: number;
  /** Subtracted from every confirmed lease lifetime (see {@link LeaseFence}); default min(1000, TTL/4). */
  readonly leaseSafetyMarginMs?: number;
  /** Deadline of each etcd request; default 2000. */
  readonly requestTimeoutMs?: number;
  readonly log: Logger;
  /** Monotonic clock for the lease fence; default `performance.now()`. */
  readonly clock?: Clock;
}

/** Outcome of {@link AgencyClient.tryAcquireLeadership}. */
export interface LeadershipAttempt {
  /** True when this member holds the `leader` key (just created, or already held with its lease). */
  readonly acquired: boolean;
  /** The `leader` key after the attempt: ours when acquired, else the current holder (null if unreadable). */
  readonly leader: LeaderInfo | null;
}

/** A running watch; `cancel()` stops it. */
export interface WatchHandle {
  cancel(): void;
}

type State = 'idle' | 'connecting' | 'connected' | 'closed';

/**
 * kitsune's view of the agency (etcd): the member's lease, its member record, the leader key and
 * the local proof that the lease still holds. The only code in kitsune that talks to etcd.
 *
 * Usage: `await retry(() => agency.connect(), policy)`, then publish the member record, race for
 * leadership, watch the leader, and `close()` on shutdown. Methods that reach etcd throw
 * `ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED` when it cannot be reached or answers with an error.
 */
export class AgencyClient {
  /** The key layout of this deployment. */
  readonly keys: AgencyKeys;
  readonly memberId: string;
  readonly #o: AgencyClientOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #lostListeners = new Set<(event: LeaseLostEvent) => void>();
  readonly #recoveredListeners = new Set<(event: LeaseRecoveredEvent) => void>();
  readonly #watches = new Set<LeaderWatch>();
  #state: State = 'idle';
  #client: Etcd3 | null = null;
  #session: LeaseSession | null = null;
  #held: { readonly term: number; readonly leaseId: string } | null = null;
  #lastMember: MemberUpdate | null = null;
  #heartbeat: NodeJS.Timeout | undefined;

  /** Throws `ERROR_BAD_PARAMETER` for an invalid deployment name, member id, endpoint list or TTL. */
  constructor(options: AgencyClientOptions) {
    if (options.endpoints.length === 0) throw new ArangoError('ERROR_BAD_PARAMETER', 'the agency needs at least one etcd endpoint');
    if (!Number.isInteger(options.leaseTtlSeconds) || options.leaseTtlSeconds < 1) {
      throw new ArangoError('ERROR_BAD_PARAMETER', `lease TTL must be a whole number of seconds ≥ 1, got ${options.leaseTtlSeconds}`);
    }
    assertKeySegment(options.memberId, 'member id');
    this.keys = agencyKeys(options.deployment);
    this.memberId = options.memberId;
    this.#o = options;
    this.#ttlMs = options.leaseTtlSeconds * 1000;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log.child({ component: 'agency', memberId: options.memberId });
  }

  /**
   * Checks that etcd answers, grants this member's lease and starts keeping it alive. One attempt:
   * callers retry with a `RetryPolicy`. Throws `ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED` when etcd
   * is unreachable or does not answer within the request timeout; a failed attempt leaves nothing
   * running, so `connect()` may be called again. Throws `ERROR_SHUTTING_DOWN` after `close()`.
   */
  async connect(): Promise<void> {
    if (this.#state === 'closed') throw new ArangoError('ERROR_SHUTTING_DOWN', 'agency client is closed');
    if (this.#state !== 'idle') return;
    this.#state = 'connecting';
    const interval = this.#o.keepAliveIntervalMs ?? Math.min(1000, this.#ttlMs / 3);
    const client = createEtcdClient({ endpoints: this.#o.endpoints, requestTimeoutMs: this.#o.requestTimeoutMs ?? 2000 });
    const session = new LeaseSession({
      client,
      ttlSeconds: this.#o.leaseTtlSeconds,
      keepAliveIntervalMs: interval,
      keepAliveTimeoutMs: this.#o.keepAliveTimeoutMs ?? Math.max(1000, 2 * interval),
      safetyMarginMs: this.#o.leaseSafetyMarginMs ?? Math.min(1000, this.#ttlMs / 4),
      clock: this.#clock,
      log: this.#log,
      onLost: (event) => this.#emit(this.#lostListeners, event),
      onRecovered: (event) => this.#emit(this.#recoveredListeners, event),
      onReplaced: (leaseId) => this.#onLeaseReplaced(leaseId),
    });
    try {
      const status = await client.maintenance.status();
      await session.start();
      this.#log.info({ endpoints: this.#o.endpoints, etcdVersion: status.version, leaseId: session.leaseId }, 'agency connected');
    } catch (error) {
      await session.stop({ revoke: false });
      client.close();
      this.#state = 'idle';
      throw this.#agencyError(`cannot reach the agency (etcd at ${this.#o.endpoints.join(', ')})`, error);
    }
    if (this.#state !== 'connecting') {
      // close() ran while we were connecting
      await session.stop({ revoke: true });
      client.close();
      throw new ArangoError('ERROR_SHUTTING_DOWN', 'agency client is closed');
    }
    this.#client = client;
    this.#session = session;
    this.#state = 'connected';
  }

  /** JSON records under the deployment prefix (cluster mode), using this client's connection and lease. */
  kv(): AgencyKv {
    return new AgencyKv(() => this.#requireClient(), () => this.leaseId());
  }

  /** The member's current lease id (decimal string), or null when not connected or being replaced. */
  leaseId(): string | null {
    return this.#session?.leaseId ?? null;
  }

  /** Clock time until which the lease is certainly valid (`-Infinity` when it is not). */
  leaseValidUntil(): number {
    return this.#session?.fence.validUntil() ?? -Infinity;
  }

  /**
   * True only while the last confirmed keep-alive, measured from when its request was sent, plus
   * the TTL minus the safety margin lies after `now`. A leader must not accept writes otherwise.
   */
  isLeaseCertainlyValid(now: number = this.#clock.now()): boolean {
    return this.#session?.fence.isCertainlyValid(now) ?? false;
  }

  /** The term of the leadership this member holds with its current lease, or null. */
  leadershipTerm(): number | null {
    const held = this.#held;
    return held !== null && held.leaseId === this.leaseId() ? held.term : null;
  }

  /** True when this member holds the leader key and its lease is certainly valid at `now`. */
  canActAsLeader(now: number = this.#clock.now()): boolean {
    return this.leadershipTerm() !== null && this.isLeaseCertainlyValid(now);
  }

  /** Calls `listener` whenever the lease stops being certainly valid; returns an unsubscribe function. */
  onLeaseLost(listener: (event: LeaseLostEvent) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /** Calls `listener` whenever the lease is certainly valid again; returns an unsubscribe function. */
  onLeaseRecovered(listener: (event: LeaseRecoveredEvent) => void): () => void {
    this.#recoveredListeners.add(listener);
    return () => this.#recoveredListeners.delete(listener);
  }

  /**
   * Writes `members/<memberId>` bound to the member's lease, with `updatedAt` = now. The record is
   * written again automatically when the lease is replaced. Returns what was written.
   */
  async publishMember(update: MemberUpdate): Promise<MemberInfo> {
    assertTick(update.appliedTick);
    const { client, leaseId } = this.#requireLease();
    this.#lastMember = update;
    const info: MemberInfo = { ...update, id: this.memberId, updatedAt: new Date().toISOString() };
    await this.#call('publishing the member record', () =>
      client.put(this.keys.member(this.memberId)).value(encodeMemberInfo(info)).lease(leaseId).exec(),
    );
    return info;
  }

  /**
   * Publishes `provider()` now and then every `intervalMs` (default 1000) until `close()`.
   * Failures are logged and retried on the next beat; beats never overlap.
   */
  startMemberHeartbeat(provider: () => MemberUpdate, intervalMs = 1000): void {
    this.#requireClient();
    clearInterval(this.#heartbeat);
    let busy = false;
    let failures = 0;
    const beat = async (): Promise<void> => {
      if (busy || this.#state !== 'connected' || this.leaseId() === null) return;
      busy = true;
      try {
        await this.publishMember(provider());
        failures = 0;
      } catch (error) {
        failures++;
        this.#log[failures === 1 ? 'warn' : 'debug']({ err: error, failures }, 'member heartbeat failed');
      } finally {
        busy = false;
      }
    };
    this.#heartbeat = setInterval(() => void beat(), intervalMs);
    void beat();
  }

  /** All member records currently in the agency (members whose lease is alive), sorted by id. */
  async listMembers(): Promise<MemberInfo[]> {
    const client = this.#requireClient();
    const values = await this.#call('listing members', () => client.getAll().prefix(this.keys.membersPrefix).strings());
    const members: MemberInfo[] = [];
    for (const [key, text] of Object.entries(values)) {
      const info = decodeMemberInfo(text);
      if (info === null) this.#log.warn({ key }, 'ignoring unreadable member record');
      else members.push(info);
    }
    return members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * One transaction: if the `leader` key does not exist, create it with `value` bound to this
   * member's lease. The new key's create revision is the term. Also `acquired` when the key already
   * holds this member's id with its current lease. Throws `ERROR_BAD_PARAMETER` when `value.id` is
   * not this member's id.
   */
  async tryAcquireLeadership(value: LeaderValue): Promise<LeadershipAttempt> {
    if (value.id !== this.memberId) {
      throw new ArangoError('ERROR_BAD_PARAMETER', `leader value id '${value.id}' is not this member's id '${this.memberId}'`);
    }
    const { client, leaseId } = this.#requireLease();
    const key = this.keys.leader;
    const res = await this.#call('acquiring leadership', () =>
      client
        .if(key, 'Create', '==', 0)
        .then(client.put(key).value(encodeLeaderValue(value)).lease(leaseId))
        .else(client.get(key))
        .commit(),
    );
    if (res.succeeded) {
      const term = toRevision(res.header.revision);
      this.#held = { term, leaseId };
      this.#log.info({ term, leaseId }, 'leadership acquired');
      return { acquired: true, leader: { value, term, leaseId } };
    }
    const kv = res.responses[0]?.response_range.kvs[0];
    const leader = kv === undefined ? null : leaderFromKeyValue(kv);
    const mine = leader !== null && leader.leaseId === leaseId && leader.value.id === this.memberId;
    if (mine) this.#held = { term: leader.term, leaseId };
    return { acquired: mine, leader };
  }

  /** The current leader, or null when the key is absent (or holds no readable leader record). */
  async getLeader(): Promise<LeaderInfo | null> {
    const client = this.#requireClient();
    const res = await this.#call('reading the leader', () => client.get(this.keys.leader).exec());
    const kv = res.kvs[0];
    return kv === undefined ? null : leaderFromKeyValue(kv);
  }

  /**
   * Calls `listener` with the current leader once the watch is established, then on every change
   * (new leader, new term, key deleted → null). Survives etcd restarts and stream losses by
   * re-reading the key on reconnect; never reports the same leader twice in a row.
   */
  watchLeader(listener: LeaderListener): WatchHandle {
    const client = this.#requireClient();
    const watch = new LeaderWatch({
      client,
      key: this.keys.leader,
      createTimeoutMs: this.#o.requestTimeoutMs ?? 2000,
      log: this.#log,
      listener,
    });
    this.#watches.add(watch);
    watch.start();
    return {
      cancel: () => {
        this.#watches.delete(watch);
        watch.cancel();
      },
    };
  }

  /**
   * Deletes the `leader` key if it is still bound to this member's lease. Returns whether it was
   * deleted (false when someone else leads or there is no leader).
   */
  async resignLeadership(): Promise<boolean> {
    const { client, leaseId } = this.#requireLease();
    const key = this.keys.leader;
    const res = await this.#call('resigning leadership', () =>
      client.if(key, 'Lease', '==', leaseId).then(client.delete().key(key)).commit(),
    );
    this.#held = null;
    if (res.succeeded) this.#log.info({ leaseId }, 'leadership resigned');
    return res.succeeded;
  }

  /**
   * Stops heartbeats and watches, revokes the lease (so the member record and, for a leader, the
   * leader key disappear at once) and closes the connection. Idempotent; leaves no timers behind.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#heartbeat);
    for (const watch of this.#watches) watch.cancel();
    this.#watches.clear();
    this.#held = null;
    await this.#session?.stop({ revoke: true });
    this.#session = null;
    this.#client?.close();
    this.#client = null;
    this.#lostListeners.clear();
    this.#recoveredListeners.clear();
    this.#log.info('agency client closed');
  }

  async #onLeaseReplaced(leaseId: string): Promise<void> {
    this.#held = null;
    const client = this.#client;
    const update = this.#lastMember;
    if (client === null || update === null) return;
    const info: MemberInfo = { ...update, id: this.memberId, updatedAt: new Date().toISOString() };
    await client.put(this.keys.member(this.memberId)).value(encodeMemberInfo(info)).lease(leaseId).exec();
  }

  #requireClient(): Etcd3 {
    if (this.#state === 'closed') throw new ArangoError('ERROR_SHUTTING_DOWN', 'agency client is closed');
    if (this.#client === null) throw this.#agencyError('agency client is not connected', undefined);
    return this.#client;
  }

  #requireLease(): { client: Etcd3; leaseId: string } {
    const client = this.#requireClient();
    const leaseId = this.leaseId();
    if (leaseId === null) throw this.#agencyError('the member has no agency lease (it expired and is being replaced)', undefined);
    return { client, leaseId };
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw isArangoError(error) ? error : this.#agencyError(`${what} failed`, error);
    }
  }

  #agencyError(what: string, cause: unknown): ArangoError {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new ArangoError('ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED', `${what}${detail}`, { cause });
  }

  #emit<E>(listeners: ReadonlySet<(event: E) => void>, event: E): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log.error({ err: error }, 'agency listener threw');
      }
    }
  }
}
