import type { Logger } from 'pino';
import type { StorageEngine } from './engine.ts';
import { readPath } from './index-codec.ts';

/** Documents removed per collection and run at most (ArangoDB's `--ttl.max-collection-removes` idea). */
const MAX_REMOVES_PER_RUN = 100_000;

/** Longest stretch of the event loop one sweep holds before it lets other work run. */
const SLICE_MS = 5;

/**
 * Removes documents whose TTL index attribute (Unix seconds, or an ISO date string) plus the
 * index's `expireAfter` lies in the past, every `frequencyMs`, as ArangoDB's TTL thread does.
 * Runs only on databases where `isWritable(database)` (a follower receives the leader's removals
 * instead; a DB-server sweeps the databases it leads). The scan gives the event loop back every
 * few milliseconds, so a large collection does not stall requests.
 */
export class TtlSweeper {
  readonly #engine: StorageEngine;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  readonly #isWritable: (database: string) => boolean;
  #running = false;

  constructor(init: { engine: StorageEngine; frequencyMs: number; isWritable: (database: string) => boolean; log: Logger }) {
    this.#engine = init.engine;
    this.#log = init.log;
    this.#isWritable = init.isWritable;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = true;
      this.sweep()
        .catch((err: unknown) => this.#log.warn({ err }, 'ttl sweep failed'))
        .finally(() => {
          this.#running = false;
        });
    }, init.frequencyMs);
    this.#timer.unref();
  }

  /** One pass over every collection with a TTL index; resolves with the number of removed documents. */
  async sweep(): Promise<number> {
    const nowS = Date.now() / 1000;
    let removed = 0;
    let sliceStart = performance.now();
    for (const database of this.#engine.databaseNames()) {
      if (!this.#isWritable(database)) continue;
      for (const c of this.#engine.collections(database)) {
        const ix = c.definition.indexes.find((i) => i.type === 'ttl');
        const field = ix?.fields[0];
        const expireAfter = ix?.options?.['expireAfter'];
        if (field === undefined || typeof expireAfter !== 'number') continue;
        const expired: string[] = [];
        let seen = 0;
        for (const doc of c.all()) {
          const at = timestampSeconds(readPath(doc, field));
          if (at !== undefined && at + expireAfter <= nowS) expired.push(doc._key);
          if (expired.length >= MAX_REMOVES_PER_RUN) break;
          if (++seen % 512 === 0 && performance.now() - sliceStart > SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            sliceStart = performance.now();
          }
        }
        // leadership or the collection may have gone while the scan yielded
        if (expired.length === 0 || !this.#isWritable(database) || this.#engine.findCollection(database, c.name) !== c) continue;
        await this.#engine.write((tx) => {
          for (const key of expired) if (c.getRaw(key)) c.remove(tx, key);
        });
        removed += expired.length;
      }
    }
    if (removed > 0) this.#log.debug({ removed }, 'ttl sweep removed expired documents');
    return removed;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** A TTL attribute's time in Unix seconds: a number, or an ISO 8601 date string; else undefined (never expires). */
function timestampSeconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms / 1000;
  }
  return undefined;
}
