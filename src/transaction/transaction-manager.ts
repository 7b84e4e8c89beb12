import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { StreamTransaction, type KeyLocks, type TransactionOptions, type TransactionStatus } from './stream-transaction.ts';

/** The `transaction` slice of the server configuration. */
export interface TransactionSettings {
  /** Idle stream transactions are aborted after this many seconds (`--transaction.streaming-idle-timeout`). */
  readonly idleTimeoutSeconds: number;
  /** Default `maxTransactionSize` in bytes. */
  readonly maxSizeBytes: number;
}

/** Who asks for a transaction: a user, or the server itself (`superuser`). */
export interface TransactionCaller {
  readonly user: string;
  readonly superuser: boolean;
}

/** {@link TransactionManager}'s client operations, limited to one caller's own transactions. */
export interface CallerTransactions {
  begin(database: string, options: Partial<TransactionOptions>): StreamTransaction;
  within<T>(database: string, id: string, fn: (trx: StreamTransaction) => T | Promise<T>): Promise<T>;
  status(database: string, id: string): TransactionStatus;
  commit(database: string, id: string): Promise<TransactionStatus>;
  abort(database: string, id: string): TransactionStatus;
  list(database: string): StreamTransaction[];
}

/** Finished transactions remembered for status queries (oldest forgotten first). */
const FINISHED_KEPT = 10_000;

/**
 * Keeps the open stream transactions of all databases: ids, key locks, idle expiry.
 * Transactions live in memory only, so a crash or restart discards every open one
 * (nothing of an uncommitted transaction ever reaches the storage).
 */
export class TransactionManager {
  readonly #engine: StorageEngine;
  readonly #settings: TransactionSettings;
  readonly #log: Logger;
  readonly #open = new Map<string, StreamTransaction>();
  readonly #finished = new Map<string, { database: string; status: TransactionStatus }>();
  /** The user each client-begun transaction belongs to ({@link as}). */
  readonly #owners = new Map<string, string>();
  /** Transactions of JavaScript actions ({@link runAction}): no client lists, joins, commits or aborts them. */
  readonly #hidden = new Set<string>();
  /** `collectionId/key` → id of the transaction holding its write lock. */
  readonly #keyLocks = new Map<string, string>();
  readonly #locksByTrx = new Map<string, string[]>();
  readonly #locks: KeyLocks;
  readonly #sweep: NodeJS.Timeout;

  constructor(init: { engine: StorageEngine; settings: TransactionSettings; log: Logger }) {
    this.#engine = init.engine;
    this.#settings = init.settings;
    this.#log = init.log;
    this.#locks = {
      acquire: (trxId, lockKey) => {
        const holder = this.#keyLocks.get(lockKey);
        if (holder === trxId) return;
        if (holder !== undefined) throw new ArangoError('ERROR_ARANGO_CONFLICT', 'write-write conflict');
        this.#keyLocks.set(lockKey, trxId);
        let mine = this.#locksByTrx.get(trxId);
        if (!mine) {
          mine = [];
          this.#locksByTrx.set(trxId, mine);
        }
        mine.push(lockKey);
      },
    };
    this.#sweep = setInterval(() => this.#expire(), 1000);
    this.#sweep.unref();
  }

  /**
   * The transactions as a client sees them: only those it began (ArangoDB: a stream transaction
   * belongs to its user; only the server itself reaches every one). Others answer 1655 as if they
   * did not exist, so nobody joins, commits or aborts another user's transaction. `null`: no
   * authentication, everything is visible.
   */
  as(caller: TransactionCaller | null): CallerTransactions {
    const mayUse = (id: string): void => {
      const owner = this.#owners.get(id);
      if (caller === null || caller.superuser || owner === undefined || owner === caller.user) return;
      throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' not found`);
    };
    return {
      begin: (database, options) => this.begin(database, options, caller?.user),
      within: (database, id, fn) => {
        mayUse(id);
        return this.within(database, id, fn);
      },
      status: (database, id) => {
        mayUse(id);
        return this.status(database, id);
      },
      commit: (database, id) => {
        mayUse(id);
        return this.commit(database, id);
      },
      abort: (database, id) => {
        mayUse(id);
        return this.abort(database, id);
      },
      list: (database) => this.list(database).filter((t) => {
        const owner = this.#owners.get(t.id);
        return caller === null || caller.superuser || owner === undefined || owner === caller.user;
      }),
    };
  }

  /**
   * Begins a stream transaction; collection names are checked to exist (1203). `owner`: the user it
   * belongs to ({@link as}); the server's own transactions (Foxx `db._executeTransaction`) name one
   * no client can be.
   */
  begin(database: string, options: Partial<TransactionOptions>, owner?: string): StreamTransaction {
    const opts: TransactionOptions = {
      read: options.read ?? [],
      write: options.write ?? [],
      exclusive: options.exclusive ?? [],
      allowImplicit: options.allowImplicit ?? true,
      waitForSync: options.waitForSync ?? false,
      lockTimeoutS: options.lockTimeoutS ?? 900,
      maxTransactionSize: options.maxTransactionSize ?? this.#settings.maxSizeBytes,
    };
    for (const name of [...opts.read, ...opts.write, ...opts.exclusive]) this.#engine.collection(database, name);
    const trx = new StreamTransaction({ id: this.#engine.newId(), database, options: opts, engine: this.#engine, locks: this.#locks });
    this.#open.set(trx.id, trx);
    if (owner !== undefined) this.#owners.set(trx.id, owner);
    return trx;
  }

  /**
   * The running transaction `id` of `database`; throws 1655 when unknown, finished or expired, and
   * for a JavaScript action's transaction unless `internal` (the server running that action).
   */
  get(database: string, id: string, internal = false): StreamTransaction {
    const trx = this.#open.get(id);
    if (!trx || trx.database !== database || (!internal && this.#hidden.has(id))) {
      const done = this.#finished.get(id);
      if (done && done.database === database) {
        throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' is already ${done.status}`);
      }
      throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' not found`);
    }
    return trx;
  }

  /** Status of a running or recently finished transaction; throws 1655 when unknown. */
  status(database: string, id: string): TransactionStatus {
    if (this.#hidden.has(id)) throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' not found`);
    const trx = this.#open.get(id);
    if (trx && trx.database === database) return trx.status;
    const done = this.#finished.get(id);
    if (done && done.database === database) return done.status;
    throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' not found`);
  }

  /** Running transactions of a database. */
  list(database: string): StreamTransaction[] {
    return [...this.#open.values()].filter((t) => t.database === database && !this.#hidden.has(t.id));
  }

  /**
   * Runs `fn` as a request inside transaction `id` (the transaction cannot expire meanwhile).
   * Returns what `fn` returns. `internal`: see {@link get}.
   */
  async within<T>(database: string, id: string, fn: (trx: StreamTransaction) => T | Promise<T>, internal = false): Promise<T> {
    const trx = this.get(database, id, internal);
    trx.assertRunning();
    trx.busy++;
    try {
      return await fn(trx);
    } finally {
      trx.busy--;
      trx.lastUsedMs = Date.now();
    }
  }

  /**
   * Runs a JavaScript transaction: begins a stream transaction with `options`, runs `action`
   * inside it (it does not expire meanwhile, however long the action computes) and commits, or
   * aborts when the action throws or rejects. Returns the action's result. Clients cannot see,
   * join, commit or abort that transaction (1655): the action's writes stand or fall together.
   */
  async runAction(database: string, options: Partial<TransactionOptions>, run: (trx: StreamTransaction) => unknown): Promise<unknown> {
    const trx = this.begin(database, options);
    this.#hidden.add(trx.id);
    let result: unknown;
    trx.busy++;
    try {
      result = await run(trx);
    } catch (err) {
      if (trx.status === 'running') trx.abort();
      this.#finish(trx);
      throw err;
    } finally {
      trx.busy--;
    }
    try {
      await trx.commit();
    } finally {
      this.#finish(trx);
    }
    return result;
  }

  /** Commits; idempotent for an already committed transaction. Throws 1653 for an aborted one. */
  async commit(database: string, id: string): Promise<TransactionStatus> {
    if (this.#hidden.has(id)) throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' not found`);
    const done = this.#finished.get(id);
    if (done && done.database === database) {
      if (done.status === 'committed') return 'committed';
      throw new ArangoError('ERROR_TRANSACTION_DISALLOWED_OPERATION', `transaction '${id}' was already aborted`);
    }
    const trx = this.get(database, id);
    try {
      await trx.commit();
    } finally {
      this.#finish(trx);
    }
    return 'committed';
  }

  /** Aborts; idempotent for an already aborted transaction. Throws 1653 for a committed one. */
  abort(database: string, id: string): TransactionStatus {
    if (this.#hidden.has(id)) throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND', `transaction '${id}' not found`);
    const done = this.#finished.get(id);
    if (done && done.database === database) {
      if (done.status === 'aborted') return 'aborted';
      throw new ArangoError('ERROR_TRANSACTION_DISALLOWED_OPERATION', `transaction '${id}' was already committed`);
    }
    const trx = this.get(database, id);
    trx.abort();
    this.#finish(trx);
    return 'aborted';
  }

  #finish(trx: StreamTransaction): void {
    if (!this.#open.delete(trx.id)) return;
    // the owner stays with the finished status (a status query of another user is still refused)
    for (const k of this.#locksByTrx.get(trx.id) ?? []) if (this.#keyLocks.get(k) === trx.id) this.#keyLocks.delete(k);
    this.#locksByTrx.delete(trx.id);
    // an action's transaction leaves no status behind either
    if (this.#hidden.delete(trx.id)) return;
    this.#finished.set(trx.id, { database: trx.database, status: trx.status });
    if (this.#finished.size > FINISHED_KEPT) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) {
        this.#finished.delete(oldest);
        this.#owners.delete(oldest);
      }
    }
  }

  #expire(): void {
    const now = Date.now();
    for (const trx of this.#open.values()) {
      const limit = now - (trx.idleLimitMs ?? this.#settings.idleTimeoutSeconds * 1000);
      if (trx.busy === 0 && trx.lastUsedMs < limit && trx.status === 'running') {
        trx.abort();
        this.#finish(trx);
        this.#log.info({ transactionId: trx.id, database: trx.database }, 'idle stream transaction aborted');
      }
    }
  }

  /** Aborts every open transaction and stops the idle sweep. */
  close(): void {
    clearInterval(this.#sweep);
    for (const trx of [...this.#open.values()]) {
      if (trx.status === 'running') trx.abort();
      this.#finish(trx);
    }
  }
}

/** The stream-transaction manager of a server, with the configured idle timeout and size limit. */
export function createTransactionManager(
  config: { readonly trxIdleTimeoutSeconds: number; readonly trxMaxSizeBytes: number },
  engine: StorageEngine,
  log: Logger,
): TransactionManager {
  return new TransactionManager({
    engine,
    settings: { idleTimeoutSeconds: config.trxIdleTimeoutSeconds, maxSizeBytes: config.trxMaxSizeBytes },
    log: log.child({ component: 'transaction' }),
  });
}
