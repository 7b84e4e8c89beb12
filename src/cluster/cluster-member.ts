import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AgencyClient, type LeaderInfo, type MemberInfo, type MemberUpdate } from '../agency/index.ts';
import { retry } from '../common/retry.ts';
import { ArangoError } from '../errors/index.ts';
import type { RequestGate, Router } from '../http/index.ts';
import { Applier, LeaderFeed, ReplicationState } from '../replication/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { registerClusterApi } from './cluster-api.ts';
import { createRequestGate } from './request-gate.ts';

/**
 * What happens around a change of role, supplied by the composition root (Foxx: self-heal,
 * Foxxmaster, queues). `onBecomeLeader` completes before the new leader accepts requests.
 */
export interface LeadershipHooks {
  onBecomeLeader(): Promise<void>;
  onBecomeFollower(): void;
}

/** Settings of an active-failover member (from the server configuration). */
export interface ClusterSettings {
  readonly agency: readonly string[];
  readonly deployment: string;
  /** Endpoint clients and members reach this server at (`http://host:port`). */
  readonly advertise: string;
  readonly syncFollowers: number;
  readonly syncTimeoutMs: number;
  /** Ticks (µs) a follower may lag and still take over. */
  readonly maxLagForFailover: number;
  readonly leaseTtlSeconds: number;
  readonly clientTtlSeconds: number;
}

/** Collaborators of a {@link ClusterMember}. */
export interface ClusterMemberDeps {
  readonly engine: StorageEngine;
  readonly memberId: string;
  readonly settings: ClusterSettings;
  /** The deployment superuser JWT for replication calls. */
  readonly token: () => string;
  readonly onUsersChanged: () => void;
  readonly hooks: LeadershipHooks;
  readonly log: Logger;
}

type Role = 'starting' | 'candidate' | 'promoting' | 'leader' | 'follower';

/** How long a failover candidate defers to a better-placed one before it races anyway. */
const DEFER_MS = 1500;
const ELECTION_POLL_MS = 100;

/**
 * One member of an active-failover deployment: holds the agency session, races for the leader
 * key (first at start; at failover the eligible follower with the highest applied tick), runs
 * the applier while following, serves the replication feed, and gates requests by role.
 */
export class ClusterMember {
  readonly memberId: string;
  readonly state: ReplicationState;
  readonly feed: LeaderFeed;
  readonly applier: Applier;
  readonly gate: RequestGate;
  readonly #d: ClusterMemberDeps;
  readonly #log: Logger;
  readonly #agency: AgencyClient;
  #role: Role = 'starting';
  #leader: LeaderInfo | null = null;
  #following: LeaderInfo | null = null;
  #term = 0;
  #endpoint = '';
  #stopped = false;
  #electing = false;
  #chain: Promise<void> = Promise.resolve();
  #settled: () => void = () => undefined;
  /** Log tick when each write request passed the gate (sync mode: did this request write?). */
  readonly #startTicks = new WeakMap<IncomingMessage, number>();
  readonly #settledP: Promise<void>;

  constructor(deps: ClusterMemberDeps) {
    this.#d = deps;
    this.memberId = deps.memberId;
    this.#log = deps.log.child({ component: 'cluster', memberId: deps.memberId });
    this.state = new ReplicationState(deps.engine);
    this.feed = new LeaderFeed({
      engine: deps.engine,
      state: this.state,
      serverId: deps.memberId,
      term: () => (this.#role === 'leader' || this.#role === 'promoting' ? this.#term : 0),
      clientTtlMs: deps.settings.clientTtlSeconds * 1000,
    });
    this.applier = new Applier({
      engine: deps.engine,
      state: this.state,
      serverId: deps.memberId,
      token: deps.token,
      onUsersChanged: deps.onUsersChanged,
      maxLagTicks: deps.settings.maxLagForFailover,
      log: this.#log.child({ component: 'applier' }),
    });
    this.#agency = new AgencyClient({
      endpoints: deps.settings.agency,
      deployment: deps.settings.deployment,
      memberId: deps.memberId,
      leaseTtlSeconds: deps.settings.leaseTtlSeconds,
      log: deps.log,
    });
    const gate = createRequestGate({
      mode: () => (this.#role === 'leader' ? 'leader' : this.#role === 'follower' ? 'follower' : 'unknown'),
      leaderEndpoint: () => this.#following?.value.endpoint ?? '',
      canWrite: () => this.isWritable(),
    });
    this.gate = (req, res, path) => {
      gate(req, res, path);
      if (deps.settings.syncFollowers > 0 && req.method !== 'GET' && req.method !== 'HEAD') this.#startTicks.set(req, deps.engine.oplog.lastTick());
    };
    this.#settledP = new Promise((resolve) => (this.#settled = resolve));
  }

  /** The role as the member record and status output show it. */
  get role(): Role {
    return this.#role;
  }

  /** Leader with a certainly valid lease: writes are accepted. */
  isWritable(): boolean {
    return this.#role === 'leader' && this.#agency.canActAsLeader();
  }

  /** The current leader as last seen in the agency. */
  leader(): LeaderInfo | null {
    return this.#leader;
  }

  /** Live member records. */
  members(): Promise<MemberInfo[]> {
    return this.#agency.listMembers();
  }

  /** Registers the replication feed and the cluster endpoints. */
  register(router: Router): void {
    this.feed.register(router);
    registerClusterApi(router, this);
  }

  /**
   * Joins the deployment: connects to the agency (retrying with a clear log line while it is
   * unreachable; never leading without it), publishes the member record, watches the leader key.
   * Resolves when the first role is settled or after `settleTimeoutMs`, whichever comes first.
   */
  async start(listenEndpoint: string, settleTimeoutMs = 10_000): Promise<void> {
    this.#endpoint = this.#d.settings.advertise !== '' ? this.#d.settings.advertise : listenEndpoint;
    void this.#join();
    await Promise.race([this.#settledP, new Promise((r) => setTimeout(r, settleTimeoutMs).unref())]);
  }

  async #join(): Promise<void> {
    try {
      await retry(() => this.#agency.connect(), { maxAttempts: Infinity, initialDelayMs: 200, maxDelayMs: 2000 }, {
        shouldRetry: () => !this.#stopped,
        onRetry: ({ error, attempt }) => {
          if (attempt === 1 || attempt % 10 === 0) this.#log.error({ err: error instanceof Error ? error.message : error, attempt }, 'cannot reach the agency; retrying (this server will not lead without it)');
        },
      });
    } catch (err) {
      if (!this.#stopped) this.#log.error({ err }, 'giving up on the agency');
      return;
    }
    if (this.#stopped) return;
    this.#agency.onLeaseLost((e) => {
      if (this.#role === 'leader') this.#log.warn({ reason: e.reason }, 'lease not certain any more: refusing writes');
    });
    this.#role = 'candidate';
    this.#agency.startMemberHeartbeat(() => this.#memberUpdate(), 500);
    this.#agency.watchLeader((info) => this.#enqueue(() => this.#onLeader(info)));
  }

  #memberUpdate(): MemberUpdate {
    const role = this.#role === 'leader' || this.#role === 'promoting' ? 'leader' : this.#role === 'follower' ? 'follower' : 'candidate';
    const phase = this.applier.phase;
    let applierState: MemberUpdate['applierState'];
    if (role === 'leader') applierState = 'stopped';
    else if (this.applier.isEligible()) applierState = 'tailing';
    else if (phase === 'tailing') applierState = 'error';
    else applierState = phase;
    let tick = this.state.lineage === 'fresh' && phase !== 'tailing' ? 0 : this.state.resumeTick();
    if (role === 'leader') tick = this.#d.engine.oplog.lastTick();
    return { endpoint: this.#endpoint, role, appliedTick: String(tick), applierState };
  }

  #enqueue(fn: () => Promise<void>): void {
    this.#chain = this.#chain.then(fn).catch((err: unknown) => this.#log.error({ err }, 'role change failed'));
  }

  async #onLeader(info: LeaderInfo | null): Promise<void> {
    if (this.#stopped) return;
    this.#leader = info;
    if (info === null) {
      if (this.#role === 'leader' || this.#role === 'promoting') this.#log.warn('leadership lost');
      // a follower keeps its applier running: its data stays complete up to its applied tick,
      // which is what makes it a candidate
      this.#role = 'candidate';
      this.#following = null;
      this.#runElection();
      return;
    }
    if (info.value.id === this.memberId) {
      if (this.#agency.leadershipTerm() === info.term) await this.#promote(info.term);
      // else: a key left by this member's previous process; it expires with that process's lease.
      else this.#role = 'candidate';
      return;
    }
    await this.#follow(info);
  }

  async #promote(term: number): Promise<void> {
    if ((this.#role === 'leader' || this.#role === 'promoting') && this.#term === term) return;
    this.#role = 'promoting';
    this.#term = term;
    this.#following = null;
    await this.applier.stop();
    this.feed.followers.reset();
    await this.state.setLineage('leader');
    try {
      await this.#d.hooks.onBecomeLeader();
    } catch (err) {
      this.#log.error({ err }, 'leadership hook failed');
    }
    if (this.#leader?.term !== term) return;
    this.#role = 'leader';
    this.#settled();
    this.#log.info({ term, tick: this.#d.engine.oplog.lastTick() }, 'this server is now the leader');
    this.#publishSoon();
  }

  async #follow(info: LeaderInfo): Promise<void> {
    const same = this.#role === 'follower' && this.#following?.value.id === info.value.id && this.#following.term === info.term;
    if (same) return;
    const wasLeader = this.#role === 'leader' || this.#role === 'promoting';
    this.#role = 'follower';
    this.#following = info;
    this.#settled();
    if (wasLeader) this.#log.warn({ leader: info.value.id }, 'another member leads now: this server follows it');
    else this.#log.info({ leader: info.value.id, endpoint: info.value.endpoint, term: info.term }, 'following the leader');
    try {
      this.#d.hooks.onBecomeFollower();
    } catch (err) {
      this.#log.error({ err }, 'follower hook failed');
    }
    await this.applier.start({ id: info.value.id, endpoint: info.value.endpoint, term: info.term });
    this.#publishSoon();
  }

  #publishSoon(): void {
    this.#agency.publishMember(this.#memberUpdate()).catch(() => undefined);
  }

  #runElection(): void {
    if (this.#electing || this.#stopped) return;
    this.#electing = true;
    const startedAt = Date.now();
    const loop = async (): Promise<void> => {
      while (!this.#stopped && this.#leader === null) {
        try {
          if (await this.#shouldRace(startedAt)) {
            const attempt = await this.#agency.tryAcquireLeadership({ id: this.memberId, endpoint: this.#endpoint });
            if (attempt.acquired && attempt.leader) {
              this.#leader = attempt.leader;
              await new Promise<void>((resolve) => this.#enqueue(async () => {
                if (attempt.leader) await this.#promote(attempt.leader.term);
                resolve();
              }));
              return;
            }
            if (attempt.leader) return; // someone else won; the watch delivers it
          }
        } catch (err) {
          this.#log.debug({ err }, 'election round failed');
        }
        await new Promise((r) => setTimeout(r, ELECTION_POLL_MS));
      }
    };
    void loop().finally(() => {
      this.#electing = false;
    });
  }

  /**
   * Whether this member should try to take the leader key now. Members that are tailing (and
   * within the lag limit) are the candidates: the one with the highest applied tick races at once,
   * others after a short deferral. A member in initial sync never races. Only when no member is
   * tailing (first start, all restarted) do the others race, best-placed first.
   */
  async #shouldRace(startedAt: number): Promise<boolean> {
    const members = (await this.#agency.listMembers()).filter((m) => m.role !== 'leader');
    const deferred = Date.now() - startedAt > DEFER_MS;
    const tailing = members.filter((m) => m.applierState === 'tailing' && m.id !== this.memberId);
    const me = this.#memberUpdate();
    const mine = { id: this.memberId, tick: BigInt(me.appliedTick) };
    const better = (m: MemberInfo): boolean => BigInt(m.appliedTick) > mine.tick || (BigInt(m.appliedTick) === mine.tick && m.id < mine.id);
    if (this.applier.isEligible()) return deferred || !tailing.some(better);
    if (tailing.length > 0) return false;
    const phase = this.applier.phase;
    if (phase === 'initial-sync' || phase === 'error') return false;
    const others = members.filter((m) => m.id !== this.memberId && (m.applierState === 'none' || m.applierState === 'stopped'));
    return deferred || !others.some(better);
  }

  /**
   * Before a write is acknowledged: waits until `--replication.sync-followers` followers applied
   * the newest entry (sync mode; only when the log grew while the request ran: read-only POSTs
   * such as AQL reads do not wait) and re-checks the fence.
   */
  async afterWrite(req: IncomingMessage, method: string, path: string): Promise<void> {
    if (method === 'GET' || method === 'HEAD' || path.startsWith('/_api/replication') || path.startsWith('/_api/wal')) return;
    if (this.#role !== 'leader') return;
    const n = this.#d.settings.syncFollowers;
    const last = this.#d.engine.oplog.lastTick();
    if (n > 0 && last > (this.#startTicks.get(req) ?? 0)) {
      await this.feed.followers.waitFor(last, n, () => this.#term, this.#d.settings.syncTimeoutMs);
    }
    if (!this.#agency.canActAsLeader()) {
      throw new ArangoError('ERROR_CLUSTER_LEADERSHIP_CHALLENGE_ONGOING', 'leadership could not be confirmed; the write is not acknowledged', {
        headers: { 'x-arango-endpoint': '' },
      });
    }
  }

  /** Leaves the deployment: stops the applier and revokes the lease (a leader's key vanishes at once). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#settled();
    await this.applier.stop();
    this.feed.close();
    await this.#agency.close();
  }
}
