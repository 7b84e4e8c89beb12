import type { QueryCaller } from '../query/index.ts';
import type { TransactionOptions } from './stream-transaction.ts';

/** Default of `--javascript.transaction-timeout`: how long (ms, wall clock) an action may run before it is stopped and rolled back. */
export const JS_TRANSACTION_TIMEOUT_MS = 30_000;

/** A JavaScript transaction (`POST /_api/transaction`) as the API parsed it; its declared collections are already checked. */
export interface JsTransactionRequest {
  readonly database: string;
  /** The declared collections and options the stream transaction begins with. */
  readonly options: Partial<TransactionOptions>;
  /** The source of a function taking `params`. */
  readonly action: string;
  readonly params: unknown;
  /** Whose rights apply to every collection the action reaches. */
  readonly caller: QueryCaller;
}

/**
 * Runs JavaScript transactions' actions. The server's one (`src/foxx/js-transactions.ts`) runs
 * each in a transaction process, never on the main thread; the action's writes are committed
 * when it returns and rolled back when it throws, runs out of time or its process dies.
 */
export interface JsTransactionRunner {
  /** The action's result; throws the database error that escaped it (its errorNum), else 500 / 1650. */
  run(request: JsTransactionRequest): Promise<unknown>;
  close(): Promise<void>;
}
