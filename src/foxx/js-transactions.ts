import path from 'node:path';
import type { Logger } from 'pino';
import { ArangoError, isArangoError } from '../errors/index.ts';
import { accessSnapshot, levelOf, requireAccess, type AccessSnapshot, type QueryCaller, type QueryService } from '../query/index.ts';
import { isPlainObject, type StorageEngine } from '../storage/index.ts';
import { TransactionDataSource, type JsTransactionRequest, type JsTransactionRunner, type StreamTransaction, type TransactionManager } from '../transaction/index.ts';
import { matches, runOptionsOf, writeOptions } from './db-host.ts';
import { runInTransaction } from './db-host-trx.ts';
import { TrxProcessPool } from './runtime/trx-process-pool.ts';

/** Settings of the server's JavaScript transactions (`--javascript.transaction-*`, `--foxx.max-memory`). */
export interface JsTransactionSettings {
  readonly dataDir: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly maxProcesses: number;
  readonly log: Logger;
}

/** One running action, as its host calls see it. */
interface ActionState {
  readonly database: string;
  readonly trx: StreamTransaction;
  readonly access: AccessSnapshot;
  readonly caller: QueryCaller;
  /** The database error last reported to the action: rethrown as is when the action lets it escape. */
  lastError?: ArangoError;
}

type Args = Readonly<Record<string, unknown>>;

const READS = new Set(['doc.get', 'doc.exists', 'doc.all', 'doc.byExample', 'coll.count']);
const WRITES = new Set(['doc.insert', 'doc.update', 'doc.replace', 'doc.remove']);

function str(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== 'string') throw new ArangoError('ERROR_BAD_PARAMETER', `${name} must be a string`);
  return v;
}

/**
 * `POST /_api/transaction` off the main thread: each action runs in a transaction process
 * ({@link TrxProcessPool}: a Foxx service process holding no service) with the `@arangodb` module
 * services get, inside one stream transaction begun with the declared collections. Every `db` call
 * of the action comes back here, where the caller's rights are checked on the collection it
 * reaches (declared or not; secret collections refused to everyone) before it runs in the
 * transaction. The action's result commits; a throw, the time limit or its process's death aborts.
 */
export class JsTransactions implements JsTransactionRunner {
  readonly #engine: StorageEngine;
  readonly #transactions: TransactionManager;
  readonly #queries: QueryService;
  readonly #timeoutMs: number;
  readonly #pool: TrxProcessPool;

  constructor(deps: { engine: StorageEngine; transactions: TransactionManager; queries: QueryService }, settings: JsTransactionSettings) {
    this.#engine = deps.engine;
    this.#transactions = deps.transactions;
    this.#queries = deps.queries;
    this.#timeoutMs = settings.timeoutMs;
    this.#pool = new TrxProcessPool({
      scratchDir: path.resolve(settings.dataDir, 'foxx', '_jstrx'),
      memoryMb: settings.memoryMb,
      maxProcesses: settings.maxProcesses,
      log: settings.log,
    });
  }

  /** Processes running now (busy and idle), for tests. */
  get processes(): number {
    return this.#pool.size;
  }

  async run(request: JsTransactionRequest): Promise<unknown> {
    const { database, caller } = request;
    const access = accessSnapshot(this.#engine, database, caller);
    const params = JSON.stringify(request.params ?? null);
    return this.#transactions.runAction(database, request.options, async (trx) => {
      const state: ActionState = { database, trx, access, caller };
      let out: string;
      try {
        out = await this.#pool.run({ database, trx: trx.id, action: request.action, params, timeoutMs: this.#timeoutMs }, (text) => this.#answer(state, text));
      } catch (err) {
        // over the time or memory limit, or the process died (1650), no free process (32): runAction aborts
        if (isArangoError(err) && (err.errorNum === 1650 || err.errorNum === 32)) throw err;
        throw new ArangoError('ERROR_TRANSACTION_INTERNAL', err instanceof Error ? err.message : String(err));
      }
      const outcome = JSON.parse(out) as { ok?: unknown; value?: unknown; errorNum?: unknown; message?: unknown };
      if (outcome.ok === true) return outcome.value ?? null;
      if (state.lastError !== undefined && outcome.errorNum === state.lastError.errorNum) throw state.lastError;
      throw new ArangoError('ERROR_TRANSACTION_INTERNAL', typeof outcome.message === 'string' ? outcome.message : 'the action failed');
    });
  }

  /** One `db` call of an action (`{op, args}` as JSON) → `{ok, value}` or `{ok: false, error}` as JSON. */
  async #answer(state: ActionState, text: string): Promise<string> {
    try {
      const call = JSON.parse(text) as { op?: unknown; args?: unknown };
      const op = typeof call.op === 'string' ? call.op : '';
      const args = isPlainObject(call.args) ? call.args : {};
      const value = await this.#call(state, op, args);
      return JSON.stringify({ ok: true, value: value ?? null });
    } catch (err) {
      if (err instanceof ArangoError) state.lastError = err;
      const e = err as { errorNum?: unknown; httpStatus?: unknown; message?: unknown };
      // no stack: it would show the server's paths to the action
      const error = { message: typeof e.message === 'string' ? e.message : String(err), errorNum: typeof e.errorNum === 'number' ? e.errorNum : undefined, httpStatus: typeof e.httpStatus === 'number' ? e.httpStatus : undefined };
      return JSON.stringify({ ok: false, error });
    }
  }

  /** Checks the caller's right on what the call reaches, then runs it inside the action's transaction. */
  async #call(state: ActionState, op: string, args: Args): Promise<unknown> {
    const { database, trx, access } = state;
    if (READS.has(op) || WRITES.has(op)) {
      // checked on the collection's own name, whether the action named it or gave its id
      const name = str(args, 'collection');
      const c = WRITES.has(op) ? trx.writable(name) : trx.readable(name);
      requireAccess(access, c.name, WRITES.has(op) ? 'rw' : 'ro');
      return this.#transactions.within(database, trx.id, (t) => runInTransaction(t, { op, database, args: { ...args, collection: c.name } }, { writeOptions, matches }), true);
    }
    switch (op) {
      case 'coll.info': {
        // db._collection(name): null when there is none; one the caller may not read is refused (403)
        const c = this.#engine.findCollection(database, str(args, 'name'));
        if (c === undefined) return null;
        requireAccess(access, c.name, 'ro');
        return { name: c.name, type: c.definition.type, id: c.definition.id };
      }
      case 'coll.list':
        return this.#engine.collections(database).filter((c) => levelOf(access, c.name) !== 'none').map((c) => c.name);
      case 'query': {
        // as the cursor API inside a stream transaction: the plan's collections up front, the rest as reached
        const bindVars = isPlainObject(args['bindVars']) ? args['bindVars'] : {};
        const options = isPlainObject(args['options']) ? args['options'] : {};
        const { running, rows } = await this.#transactions.within(database, trx.id, (t) =>
          this.#queries.start(database, str(args, 'query'), bindVars, runOptionsOf(options), state.caller, Number.POSITIVE_INFINITY, {
            source: new TransactionDataSource(this.#engine, t),
            atomically: (fn) => t.atomically(fn),
          }),
          true,
        );
        return { result: rows, extra: running.extra };
      }
      default:
        // DDL and graph changes cannot be undone with the transaction; nothing else is reachable
        if (op.startsWith('coll.') || op.startsWith('graph.')) throw new ArangoError('ERROR_TRANSACTION_DISALLOWED_OPERATION', `${op} cannot run inside a JavaScript transaction`);
        throw new ArangoError('ERROR_FORBIDDEN', `${op} is not available to a JavaScript transaction`);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
