import type { ServerConfig } from '../config/index.ts';

/** What one process allows for request bodies being buffered (see `README.md`, “Request bodies”). */
export interface BodyBudgetOptions {
  /** Bytes all requests together may buffer at once (`--http.max-buffered-bytes`). */
  readonly maxBytes: number;
  /** Bytes the requests of one client address may buffer at once (default: half of `maxBytes`). */
  readonly perClientBytes?: number;
  /** A body read that receives no byte for this long is given up and its connection closed (default 30 s). */
  readonly idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/**
 * The bytes of request bodies being buffered by all requests at once (`--http.max-buffered-bytes`),
 * and by the requests of each client address. Bodies are read into memory before they are used, and
 * unauthenticated routes (Foxx services; on a coordinator, everything the leader authenticates) read
 * them too: without a global cap, parallel large uploads could exhaust the process. Bytes are taken
 * as they arrive, so a connection that declares a large body and sends nothing holds nothing.
 */
export class BodyBudget {
  readonly maxBytes: number;
  readonly perClientBytes: number;
  readonly idleTimeoutMs: number;
  #usedBytes = 0;
  readonly #byClient = new Map<string, number>();

  constructor(o: BodyBudgetOptions) {
    this.maxBytes = o.maxBytes;
    this.perClientBytes = Math.min(o.maxBytes, o.perClientBytes !== undefined && o.perClientBytes > 0 ? o.perClientBytes : o.maxBytes / 2);
    this.idleTimeoutMs = o.idleTimeoutMs !== undefined && o.idleTimeoutMs > 0 ? o.idleTimeoutMs : DEFAULT_IDLE_TIMEOUT_MS;
  }

  /** Whether `n` more bytes would fit now, for the process and for `client` (nothing is taken). */
  fits(n: number, client: string): boolean {
    return this.#usedBytes + n <= this.maxBytes && (this.#byClient.get(client) ?? 0) + n <= this.perClientBytes;
  }

  /** Takes `n` bytes for `client`; false (taking nothing) when that would exceed either cap. */
  tryAcquire(n: number, client: string): boolean {
    if (!this.fits(n, client)) return false;
    this.#usedBytes += n;
    this.#byClient.set(client, (this.#byClient.get(client) ?? 0) + n);
    return true;
  }

  release(n: number, client: string): void {
    if (n <= 0) return;
    this.#usedBytes = Math.max(0, this.#usedBytes - n);
    const left = (this.#byClient.get(client) ?? 0) - n;
    if (left > 0) this.#byClient.set(client, left);
    else this.#byClient.delete(client);
  }

  get usedBytes(): number {
    return this.#usedBytes;
  }

  /** The bytes `client`'s requests hold now. */
  clientBytes(client: string): number {
    return this.#byClient.get(client) ?? 0;
  }
}

/** The one budget of a server process (single server, DB-server or coordinator) from its options. */
export function bodyBudgetOf(config: Pick<ServerConfig, 'maxBufferedBytes' | 'maxBufferedBytesPerClient' | 'bodyIdleTimeout'>): BodyBudget {
  return new BodyBudget({ maxBytes: config.maxBufferedBytes, perClientBytes: config.maxBufferedBytesPerClient, idleTimeoutMs: config.bodyIdleTimeout * 1000 });
}
