/** Keys longer than this (huge bind values) are never cached: they would dominate the cache's memory. */
const MAX_KEY_CHARS = 64 * 1024;

interface Entry<T> {
  readonly value: T;
  readonly definitions: ReadonlyArray<readonly [string, unknown]>;
  readonly bytes: number;
}

/**
 * Prepared read queries by (database, user, text, bind values, options), bounded both by entries
 * and by bytes (keys count by their size), oldest evicted first.
 */
export class PlanCache<T> {
  readonly #map = new Map<string, Entry<T>>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  /** The cache key, or undefined when the query is too large to cache. */
  static key(database: string, user: string | null, query: string, bindVars: unknown, options: unknown): string | undefined {
    if (query.length > MAX_KEY_CHARS) return undefined;
    const key = `${database}\u0000${user ?? ''}\u0000${query}\u0000${JSON.stringify(bindVars)}\u0000${JSON.stringify(options)}`;
    return key.length > MAX_KEY_CHARS ? undefined : key;
  }

  /** The cached value if `valid(definitions)` still holds. */
  get(key: string, valid: (definitions: ReadonlyArray<readonly [string, unknown]>) => boolean): T | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    if (valid(e.definitions)) return e.value;
    this.#delete(key, e);
    return undefined;
  }

  set(key: string, value: T, definitions: ReadonlyArray<readonly [string, unknown]>, bytes: number): void {
    const old = this.#map.get(key);
    if (old) this.#delete(key, old);
    while (this.#map.size > 0 && (this.#map.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes)) {
      const first = this.#map.entries().next();
      if (first.done === true) break;
      this.#delete(first.value[0], first.value[1]);
    }
    this.#map.set(key, { value, definitions, bytes });
    this.#bytes += bytes;
  }

  #delete(key: string, e: Entry<T>): void {
    this.#map.delete(key);
    this.#bytes -= e.bytes;
  }
}
