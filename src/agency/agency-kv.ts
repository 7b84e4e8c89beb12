import type { Etcd3 } from 'etcd3';
import { ArangoError, isArangoError } from '../errors/index.ts';

/**
 * Plain JSON records under the deployment's prefix (cluster mode: server registry, database plan).
 * Every etcd failure becomes `ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED` (1492) with the cause.
 */
export class AgencyKv {
  readonly #client: () => Etcd3;
  readonly #leaseId: () => string | null;

  constructor(client: () => Etcd3, leaseId: () => string | null) {
    this.#client = client;
    this.#leaseId = leaseId;
  }

  /** Writes `value` as JSON; with `leased` the key is bound to the member's lease (vanishes with it). */
  async put(key: string, value: unknown, leased: boolean): Promise<void> {
    const client = this.#client();
    await call(`writing ${key}`, async () => {
      const put = client.put(key).value(JSON.stringify(value));
      if (leased) {
        const lease = this.#leaseId();
        if (lease === null) throw new ArangoError('ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED', 'no agency lease');
        put.lease(lease);
      }
      await put.exec();
    });
  }

  /** Creates `key` only when absent (one transaction); false when it already existed. */
  async create(key: string, value: unknown): Promise<boolean> {
    const client = this.#client();
    const res = await call(`creating ${key}`, () => client.if(key, 'Create', '==', 0).then(client.put(key).value(JSON.stringify(value))).commit());
    return res.succeeded;
  }

  /** Creates `key` bound to the member's lease, only when absent (one transaction); false when it existed. */
  async createLeased(key: string, value: unknown): Promise<boolean> {
    const client = this.#client();
    const lease = this.#leaseId();
    if (lease === null) throw new ArangoError('ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED', 'no agency lease');
    const res = await call(`creating ${key}`, () => client.if(key, 'Create', '==', 0).then(client.put(key).value(JSON.stringify(value)).lease(lease)).commit());
    return res.succeeded;
  }

  /**
   * Calls `listener(subKey, value | null)` for every change under `prefix` (null = deleted) and
   * `onConnected` each time the watch is (re)established, so callers can re-read what they may have
   * missed. etcd3's watcher reconnects by itself; `cancel()` ends it.
   */
  watchPrefixValues(prefix: string, listener: (key: string, value: unknown) => void, onConnected?: () => void): { cancel(): void } {
    let watcher: Awaited<ReturnType<ReturnType<ReturnType<Etcd3['watch']>['prefix']>['create']>> | null = null;
    let cancelled = false;
    void (async () => {
      while (!cancelled) {
        try {
          const w = await this.#client().watch().prefix(prefix).create();
          if (cancelled) {
            void w.cancel();
            return;
          }
          watcher = w;
          w.on('put', (kv) => listener(kv.key.toString().slice(prefix.length), parse(kv.value.toString())));
          w.on('delete', (kv) => listener(kv.key.toString().slice(prefix.length), null));
          w.on('connected', () => onConnected?.());
          w.on('error', () => undefined);
          onConnected?.();
          return;
        } catch {
          // etcd unreachable: try again (etcd3 reconnects an established watch by itself)
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
    return {
      cancel() {
        cancelled = true;
        void watcher?.cancel();
      },
    };
  }

  /** Deletes `key` only while it still holds exactly `value` (one transaction); false otherwise. */
  async deleteIf(key: string, value: unknown): Promise<boolean> {
    const client = this.#client();
    const res = await call(`deleting ${key}`, () => client.if(key, 'Value', '==', JSON.stringify(value)).then(client.delete().key(key)).commit());
    return res.succeeded;
  }

  /** Deletes `key`; false when it did not exist. */
  async delete(key: string): Promise<boolean> {
    const client = this.#client();
    const res = await call(`deleting ${key}`, () => client.delete().key(key).exec());
    return Number(res.deleted) > 0;
  }

  /** The parsed JSON value of `key` with its modification revision, or null when absent. */
  async getWithRevision(key: string): Promise<{ value: unknown; modRevision: string } | null> {
    const client = this.#client();
    const res = await call(`reading ${key}`, () => client.get(key).exec());
    const kv = res.kvs[0];
    return kv === undefined ? null : { value: parse(kv.value.toString('utf8')), modRevision: String(kv.mod_revision) };
  }

  /**
   * Writes `value` only while `key` was last modified at `modRevision` (one transaction, a
   * compare-and-swap: two writers that read the same version cannot both succeed).
   */
  async putIfRevision(key: string, modRevision: string, value: unknown): Promise<boolean> {
    const client = this.#client();
    const res = await call(`updating ${key}`, () => client.if(key, 'Mod', '==', modRevision).then(client.put(key).value(JSON.stringify(value))).commit());
    return res.succeeded;
  }

  /**
   * Watches every key under `prefix`: `listener(key without prefix, 'put' | 'delete')` per change,
   * and `('', 'connected')` whenever the watch is (re)established (a consumer re-reads then).
   * etcd3's watch manager reconnects by itself after etcd restarts.
   */
  watchPrefix(prefix: string, listener: (key: string, event: 'put' | 'delete' | 'connected') => void): { cancel(): void } {
    const watcher = this.#client().watch().prefix(prefix).watcher();
    const report = (key: string, event: 'put' | 'delete' | 'connected'): void => {
      try {
        listener(key, event);
      } catch {
        // a listener's failure must not end the watch
      }
    };
    watcher.on('put', (kv) => report(kv.key.toString('utf8').slice(prefix.length), 'put'));
    watcher.on('delete', (kv) => report(kv.key.toString('utf8').slice(prefix.length), 'delete'));
    watcher.on('connected', () => report('', 'connected'));
    watcher.on('error', () => undefined);
    return { cancel: () => void watcher.cancel().catch(() => undefined) };
  }

  /** The parsed JSON value of `key`, or null when absent or unreadable. */
  async get(key: string): Promise<unknown> {
    const client = this.#client();
    const text = await call(`reading ${key}`, () => client.get(key).string());
    return text === null ? null : parse(text);
  }

  /** Like {@link list}, with each key's modification revision (for {@link putIfRevision}). */
  async listWithRevisions(prefix: string): Promise<Map<string, { value: unknown; modRevision: string }>> {
    const client = this.#client();
    const res = await call(`listing ${prefix}`, () => client.getAll().prefix(prefix).exec());
    const out = new Map<string, { value: unknown; modRevision: string }>();
    for (const kv of res.kvs) {
      const value = parse(kv.value.toString('utf8'));
      if (value !== null) out.set(kv.key.toString('utf8').slice(prefix.length), { value, modRevision: String(kv.mod_revision) });
    }
    return out;
  }

  /** Every key under `prefix` (the prefix stripped) with its parsed JSON value; unreadable ones are skipped. */
  async list(prefix: string): Promise<Map<string, unknown>> {
    const client = this.#client();
    const all = await call(`listing ${prefix}`, () => client.getAll().prefix(prefix).strings());
    const out = new Map<string, unknown>();
    for (const [key, text] of Object.entries(all)) {
      const value = parse(text);
      if (value !== null) out.set(key.slice(prefix.length), value);
    }
    return out;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isArangoError(error)) throw error;
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new ArangoError('ERROR_CLUSTER_AGENCY_COMMUNICATION_FAILED', `${what} failed${detail}`, { cause: error });
  }
}
