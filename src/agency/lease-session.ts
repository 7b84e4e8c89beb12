import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';
import type { Logger } from 'pino';
import type { Clock } from '../common/clock.ts';
import { retry, type RetryPolicy } from '../common/retry.ts';
import { LeaseFence, type LeaseLossReason } from './lease-fence.ts';

/** Announced when the lease stops being certainly valid. */
export interface LeaseLostEvent {
  readonly leaseId: string;
  readonly reason: LeaseLossReason;
}

/** Announced when the lease is certainly valid again. */
export interface LeaseRecoveredEvent {
  readonly leaseId: string;
  /** True when the old lease expired and this is a fresh one: keys and leadership of the old one are gone. */
  readonly newLease: boolean;
}

/** Settings and collaborators of a {@link LeaseSession}. */
export interface LeaseSessionOptions {
  readonly client: Etcd3;
  readonly ttlSeconds: number;
  readonly keepAliveIntervalMs: number;
  /** An unanswered keep-alive older than this gets its stream torn down and reopened. */
  readonly keepAliveTimeoutMs: number;
  readonly safetyMarginMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onLost: (event: LeaseLostEvent) => void;
  readonly onRecovered: (event: LeaseRecoveredEvent) => void;
  /** Runs after a replacement lease was granted and before `onRecovered` (e.g. to re-publish keys). */
  readonly onReplaced: (leaseId: string) => Promise<void>;
}

type KeepAliveStream = IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;

const REGRANT_POLICY: RetryPolicy = { maxAttempts: Infinity, initialDelayMs: 100, maxDelayMs: 1000 };

/**
 * One member's etcd lease, kept alive by our own loop so that every keep-alive request's send
 * time is known (etcd3's `Lease` only reports answers, and refreshes every TTL/3, which is too
 * slow for a ≤ 1 s heartbeat). At most one keep-alive is in flight per stream, so each answer
 * belongs to exactly one request. A lease that etcd reports gone is replaced by a new one until
 * the session stops.
 */
export class LeaseSession {
  readonly #o: LeaseSessionOptions;
  readonly #fence: LeaseFence;
  readonly #stop = new AbortController();
  #leaseId: string | null = null;
  #stream: KeepAliveStream | null = null;
  #opening = false;
  #inFlight: { readonly sentAt: number; readonly stream: KeepAliveStream } | null = null;
  #interval: NodeJS.Timeout | undefined;
  #fenceTimer: NodeJS.Timeout | undefined;
  #streamFailures = 0;
  /** Set when a lease expired; the next recovery then comes from a fresh lease. */
  #newLeasePending = false;

  constructor(options: LeaseSessionOptions) {
    if (!(options.safetyMarginMs < options.ttlSeconds * 1000)) {
      throw new RangeError(`lease safety margin (${options.safetyMarginMs} ms) must be below the TTL (${options.ttlSeconds} s)`);
    }
    this.#o = options;
    this.#fence = new LeaseFence(options.clock, options.safetyMarginMs);
  }

  /** The current lease id (decimal string), or null while none is granted. */
  get leaseId(): string | null {
    return this.#leaseId;
  }

  /** The local proof of validity; read-only use by the client. */
  get fence(): LeaseFence {
    return this.#fence;
  }

  /** Grants the first lease (rejects when etcd refuses or cannot be reached) and starts the keep-alive loop. */
  async start(): Promise<void> {
    this.#leaseId = await this.#grant();
    this.#fence.evaluate();
    this.#scheduleFenceCheck();
    this.#interval = setInterval(() => this.#tick(), this.#o.keepAliveIntervalMs);
    this.#tick();
  }

  /**
   * Stops keep-alives, timers and streams. With `revoke`, asks etcd to drop the lease so every key
   * bound to it (leader, member record) disappears at once; failure to revoke is logged, not thrown
   * (the lease then simply runs out).
   */
  async stop(options: { readonly revoke: boolean }): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    clearInterval(this.#interval);
    clearTimeout(this.#fenceTimer);
    this.#dropStream();
    const leaseId = this.#leaseId;
    this.#leaseId = null;
    this.#fence.invalidate();
    if (!options.revoke || leaseId === null) return;
    try {
      await this.#o.client.leaseClient.leaseRevoke({ ID: leaseId });
      this.#o.log.debug({ leaseId }, 'agency lease revoked');
    } catch (error) {
      this.#o.log.warn({ leaseId, err: error }, 'agency lease revoke failed; it will expire by its TTL');
    }
  }

  async #grant(): Promise<string> {
    const sentAt = this.#o.clock.now();
    const res = await this.#o.client.leaseClient.leaseGrant({ TTL: this.#o.ttlSeconds });
    if (res.error !== '') throw new Error(`etcd refused the lease: ${res.error}`);
    this.#fence.confirm(sentAt, Number(res.TTL) * 1000);
    this.#o.log.debug({ leaseId: res.ID, ttlSeconds: Number(res.TTL) }, 'agency lease granted');
    return res.ID;
  }

  #tick(): void {
    if (this.#stop.signal.aborted) return;
    this.#checkFence();
    const leaseId = this.#leaseId;
    if (leaseId === null) return;
    if (this.#inFlight !== null) {
      if (this.#o.clock.now() - this.#inFlight.sentAt < this.#o.keepAliveTimeoutMs) return;
      this.#noteStreamFailure('keep-alive unanswered');
      this.#dropStream();
    }
    if (this.#stream === null) {
      this.#openStream();
      return;
    }
    this.#inFlight = { sentAt: this.#o.clock.now(), stream: this.#stream };
    this.#stream.write({ ID: leaseId });
  }

  #openStream(): void {
    if (this.#opening) return;
    this.#opening = true;
    this.#o.client.leaseClient.leaseKeepAlive().then(
      (stream) => {
        this.#opening = false;
        if (this.#stop.signal.aborted) {
          stream.cancel();
          return;
        }
        stream.on('data', (res) => this.#onAnswer(stream, res));
        stream.on('error', (error) => this.#onStreamEnd(stream, error));
        stream.on('end', () => this.#onStreamEnd(stream, new Error('keep-alive stream ended')));
        this.#stream = stream;
        this.#tick();
      },
      (error: unknown) => {
        this.#opening = false;
        this.#noteStreamFailure('cannot open keep-alive stream', error);
      },
    );
  }

  #onAnswer(stream: KeepAliveStream, res: ILeaseKeepAliveResponse): void {
    const inFlight = this.#inFlight;
    if (stream !== this.#stream || inFlight === null || inFlight.stream !== stream || res.ID !== this.#leaseId) return;
    this.#inFlight = null;
    if (res.TTL === '0') {
      this.#onExpired(res.ID);
      return;
    }
    if (this.#streamFailures > 0) this.#o.log.info({ leaseId: res.ID }, 'agency keep-alives answered again');
    this.#streamFailures = 0;
    this.#fence.confirm(inFlight.sentAt, Number(res.TTL) * 1000);
    this.#checkFence();
  }

  #onStreamEnd(stream: KeepAliveStream, error: unknown): void {
    if (stream !== this.#stream) return;
    this.#noteStreamFailure('keep-alive stream failed', error);
    this.#dropStream();
  }

  #dropStream(): void {
    const stream = this.#stream;
    this.#stream = null;
    this.#inFlight = null;
    stream?.cancel();
  }

  #noteStreamFailure(msg: string, error?: unknown): void {
    this.#streamFailures++;
    // The first failure is worth a warning; repeats while etcd stays away are noise.
    const level = this.#streamFailures === 1 ? 'warn' : 'debug';
    this.#o.log[level]({ leaseId: this.#leaseId, err: error, failures: this.#streamFailures }, msg);
  }

  #onExpired(leaseId: string): void {
    this.#o.log.warn({ leaseId }, 'agency lease expired');
    this.#leaseId = null;
    this.#dropStream();
    this.#fence.invalidate();
    this.#newLeasePending = true;
    this.#checkFence('expired', leaseId);
    void this.#replace();
  }

  async #replace(): Promise<void> {
    let leaseId: string;
    try {
      leaseId = await retry(() => this.#grant(), REGRANT_POLICY, {
        signal: this.#stop.signal,
        onRetry: ({ error, attempt }) => this.#o.log.debug({ err: error, attempt }, 'agency lease grant failed, retrying'),
      });
    } catch {
      return; // only an abort ends the retry: the session was stopped
    }
    if (this.#stop.signal.aborted) return;
    this.#leaseId = leaseId;
    this.#o.log.info({ leaseId }, 'agency lease replaced');
    try {
      await this.#o.onReplaced(leaseId);
    } catch (error) {
      this.#o.log.warn({ leaseId, err: error }, 'agency lease replacement hook failed');
    }
    if (this.#stop.signal.aborted) return;
    this.#checkFence();
    this.#tick();
  }

  /** Announces a change of certainty and re-arms the timer that notices the next one. */
  #checkFence(reason: LeaseLossReason = 'unconfirmed', leaseId = this.#leaseId): void {
    if (this.#stop.signal.aborted) return;
    const transition = this.#fence.evaluate();
    if (transition === 'lost' && leaseId !== null) {
      this.#o.log.warn({ leaseId, reason }, 'agency lease no longer certainly valid');
      this.#o.onLost({ leaseId, reason });
    } else if (transition === 'recovered' && leaseId !== null) {
      const newLease = this.#newLeasePending;
      this.#newLeasePending = false;
      this.#o.log.info({ leaseId, newLease }, 'agency lease certainly valid again');
      this.#o.onRecovered({ leaseId, newLease });
    }
    this.#scheduleFenceCheck();
  }

  #scheduleFenceCheck(): void {
    clearTimeout(this.#fenceTimer);
    this.#fenceTimer = undefined;
    if (this.#stop.signal.aborted || !this.#fence.isCertainlyValid()) return;
    // +1 ms: wake up when the bound has passed, not exactly on it.
    const delay = Math.max(0, this.#fence.validUntil() - this.#o.clock.now()) + 1;
    this.#fenceTimer = setTimeout(() => this.#checkFence(), delay);
  }
}
