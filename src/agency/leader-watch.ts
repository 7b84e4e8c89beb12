import type { Etcd3, IDuplexStream, IWatchRequest, IWatchResponse } from 'etcd3';
import type { Logger } from 'pino';
import { retry, sleep, type RetryPolicy } from '../common/retry.ts';
import { leaderFromKeyValue, toRevision } from './etcd-values.ts';
import type { LeaderInfo } from './records.ts';

/** Called with the leader (or `null` when there is none) each time it may have changed. */
export type LeaderListener = (leader: LeaderInfo | null) => void;

/** Settings and collaborators of a {@link LeaderWatch}. */
export interface LeaderWatchOptions {
  readonly client: Etcd3;
  readonly key: string;
  /** How long to wait for etcd to confirm a new watch before trying again. */
  readonly createTimeoutMs: number;
  readonly log: Logger;
  readonly listener: LeaderListener;
}

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

const RECONNECT_POLICY: RetryPolicy = { maxAttempts: Infinity, initialDelayMs: 100, maxDelayMs: 1000 };

/**
 * Follows the `leader` key. Each (re)connection first reads the key, reports it, and then
 * watches from the revision after that read, so no change is lost while the stream was down
 * and a compacted history cannot hide one. Reports are ordered by etcd revision and only made
 * when the leader (value or term) actually changed, so reconnects cause no duplicates.
 */
export class LeaderWatch {
  readonly #o: LeaderWatchOptions;
  readonly #stop = new AbortController();
  #stream: WatchStream | null = null;
  #lastRevision = 0;
  #last: LeaderInfo | null | undefined = undefined;
  #connecting = false;

  constructor(options: LeaderWatchOptions) {
    this.#o = options;
  }

  /** Starts following the key in the background; reconnects until {@link cancel}. */
  start(): void {
    void this.#connect();
  }

  /** Stops the watch and its reconnect attempts; the listener is not called afterwards. */
  cancel(): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    const stream = this.#stream;
    this.#stream = null;
    stream?.cancel();
  }

  async #connect(): Promise<void> {
    if (this.#connecting || this.#stop.signal.aborted) return;
    this.#connecting = true;
    try {
      await retry(() => this.#openOnce(), RECONNECT_POLICY, {
        signal: this.#stop.signal,
        onRetry: ({ error, attempt }) => this.#o.log.debug({ err: error, attempt }, 'leader watch (re)connect failed, retrying'),
      });
    } catch {
      // only an abort ends the retry loop: the watch was cancelled
    } finally {
      this.#connecting = false;
    }
  }

  async #openOnce(): Promise<void> {
    const { client, key } = this.#o;
    const read = await client.get(key).exec();
    const readRevision = toRevision(read.header.revision);
    const kv = read.kvs[0];
    this.#report(kv === undefined ? null : leaderFromKeyValue(kv), readRevision);
    if (this.#stop.signal.aborted) return;

    const stream = await client.watchClient.watch();
    if (this.#stop.signal.aborted) {
      stream.cancel();
      return;
    }
    const created = new Promise<void>((resolve, reject) => {
      stream.on('data', (res) => {
        if (res.canceled) reject(new Error(`etcd cancelled the leader watch: ${res.cancel_reason}`));
        else if (res.created) resolve();
        this.#onResponse(stream, res);
      });
      stream.on('error', (error) => {
        reject(error);
        this.#onStreamEnd(stream, error);
      });
      stream.on('end', () => {
        reject(new Error('leader watch stream ended'));
        this.#onStreamEnd(stream, undefined);
      });
    });
    this.#stream = stream;
    stream.write({ create_request: { key: Buffer.from(key), start_revision: readRevision + 1 } });
    const timeout = new AbortController();
    try {
      await Promise.race([
        created,
        sleep(this.#o.createTimeoutMs, AbortSignal.any([timeout.signal, this.#stop.signal])).then(() => {
          throw new Error('etcd did not confirm the leader watch in time');
        }),
      ]);
    } catch (error) {
      if (this.#stream === stream) this.#stream = null;
      stream.cancel();
      throw error;
    } finally {
      timeout.abort();
    }
    this.#o.log.debug({ key, revision: readRevision }, 'leader watch established');
  }

  #onResponse(stream: WatchStream, res: IWatchResponse): void {
    if (stream !== this.#stream) return;
    if (res.canceled) {
      this.#o.log.warn({ reason: res.cancel_reason, compactRevision: res.compact_revision }, 'leader watch cancelled by etcd');
      this.#onStreamEnd(stream, undefined);
      return;
    }
    for (const event of res.events) {
      const revision = toRevision(event.kv.mod_revision);
      this.#report(event.type === 'Put' ? leaderFromKeyValue(event.kv) : null, revision);
    }
  }

  #onStreamEnd(stream: WatchStream, error: unknown): void {
    if (stream !== this.#stream) return;
    this.#stream = null;
    stream.cancel();
    if (this.#stop.signal.aborted) return;
    this.#o.log.debug({ err: error }, 'leader watch stream lost, reconnecting');
    void this.#connect();
  }

  #report(leader: LeaderInfo | null, revision: number): void {
    if (this.#stop.signal.aborted || revision < this.#lastRevision) return;
    this.#lastRevision = revision;
    if (this.#last !== undefined && sameLeader(this.#last, leader)) return;
    this.#last = leader;
    try {
      this.#o.listener(leader);
    } catch (error) {
      this.#o.log.error({ err: error }, 'leader listener threw');
    }
  }
}

function sameLeader(a: LeaderInfo | null, b: LeaderInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return a.term === b.term && a.leaseId === b.leaseId && a.value.id === b.value.id && a.value.endpoint === b.value.endpoint;
}
