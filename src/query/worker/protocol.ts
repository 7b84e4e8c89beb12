import { ArangoError, errorNameOf } from '../../errors/index.ts';
import type { CollectionDefinition } from '../../storage/index.ts';
import type { AccessSnapshot } from '../guarded-data-source.ts';
import type { WriteSet } from './write-set.ts';

/** Query options forwarded to a worker (the cursor API's subset). */
export interface WireRunOptions {
  readonly fullCount?: boolean;
  readonly maxRuntime?: number;
  readonly memoryLimit?: number;
  readonly failOnWarning?: boolean;
  readonly maxWarningCount?: number;
}

/** A query as a worker runs it: text, bind values, options, and who runs it with which rights. */
export interface WireQuery {
  readonly queryId: string;
  readonly database: string;
  readonly query: string;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly options: WireRunOptions;
  readonly user: string | null;
  readonly access: AccessSnapshot;
}

/** Main thread → query worker. */
export type ToWorker =
  | { readonly type: 'catalog'; readonly database: string; readonly definitions: readonly CollectionDefinition[] }
  | (WireQuery & {
      readonly type: 'run';
      readonly job: number;
      /** Rows to return now (Infinity: all, the cursor is closed). */
      readonly batch: number;
      /** Int32 cell: 0 running, 1 killed, 2 maxRuntime exceeded. */
      readonly kill: SharedArrayBuffer;
      /** A modification query: run it over an overlay and answer its write set (all rows at once). */
      readonly write?: boolean;
      /**
       * A job sent ahead, while the worker still runs another: it runs only if the worker can
       * swap `claims[slot]` from `token` (unique per sending) to its negative; the pool takes it
       * back by swapping the token to 0 (then the worker skips it without an answer).
       */
      readonly claim?: { readonly claims: SharedArrayBuffer; readonly slot: number; readonly token: number };
    })
  | { readonly type: 'more'; readonly job: number; readonly queryId: string; readonly batch: number }
  | { readonly type: 'close'; readonly queryId: string }
  /** Leave the thread once the current job has stopped (a retired worker, see QueryPool.kill). */
  | { readonly type: 'exit' };

/** Statistics and warnings of a query, in ArangoDB's `extra` shape (without httpRequests). */
export interface WireExtra {
  readonly stats: Readonly<Record<string, number>>;
  readonly warnings: readonly { readonly code: number; readonly message: string }[];
}

/** An error crossing the thread boundary. */
export interface WireError {
  readonly errorNum: number;
  readonly httpStatus: number;
  readonly message: string;
}

/** Query worker → main thread. */
export type FromWorker =
  | { readonly type: 'rows'; readonly job: number; readonly rows: unknown[]; readonly done: boolean; readonly extra: WireExtra; readonly writes?: WriteSet }
  | { readonly type: 'error'; readonly job: number; readonly error: WireError };

/** Flattens any thrown value for postMessage; unknown errors become errorNum 4. */
export function toWireError(err: unknown): WireError {
  if (err instanceof ArangoError) return { errorNum: err.errorNum, httpStatus: err.httpStatus, message: err.message };
  if (err instanceof RangeError) return { errorNum: 32, httpStatus: 400, message: `query failed: ${err.message}` };
  return { errorNum: 4, httpStatus: 500, message: err instanceof Error ? err.message : String(err) };
}

/** Rebuilds the ArangoError of a worker's answer. */
export function fromWireError(e: WireError): ArangoError {
  return new ArangoError(errorNameOf(e.errorNum) ?? 'ERROR_INTERNAL', e.message, { httpStatus: e.httpStatus });
}

/** The answer to a query whose kill cell is set (1 killed, 2 maxRuntime exceeded). */
export function killedError(kill: Int32Array): ArangoError {
  return new ArangoError('ERROR_QUERY_KILLED', Atomics.load(kill, 0) === 2 ? 'query killed (maxRuntime exceeded)' : 'query killed');
}
