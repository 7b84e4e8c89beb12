// Query worker thread: parses, plans and runs read queries straight on lmdb (this thread's handle of
// the shared environment) so the main thread keeps serving while they run.
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { open } from 'lmdb';
import { estimateSize, prepareQuery, QueryCache, type PreparedQuery, type QueryCursor, type QueryOptions } from '../../aql/index.ts';
import { ArangoError } from '../../errors/index.ts';
import { GuardedDataSource, requireAccess } from '../guarded-data-source.ts';
import { LmdbDataSource } from '../lmdb-data-source.ts';
import { PlanCache } from './plan-cache.ts';
import { toWireError, type FromWorker, type ToWorker, type WireExtra } from './protocol.ts';
import { WorkerCatalog } from './worker-catalog.ts';
import { WriteOverlaySource } from './write-overlay.ts';
import { TickClock } from '../../storage/index.ts';
import { removeProtoAccessor } from '../../common/proto-guard.ts';

const data = workerData as { lmdbPath: string; memoryLimit: number; threadNice: number; tickBuffer?: SharedArrayBuffer };
const port = parentPort;
if (port === null) throw new Error('query worker started outside a worker thread');
// documents' `__proto__` is an attribute here too (AQL INSERT, MERGE), never a prototype
removeProtoAccessor();
lowerThreadPriority(data.threadNice);
const env = open({ path: data.lmdbPath, maxDbs: 100_000, readOnly: true });
const catalog = new WorkerCatalog(env);
const parsed = new QueryCache(512);
const plans = new PlanCache<PreparedQuery>(256, 16 * 1024 * 1024);
const clock = data.tickBuffer === undefined ? undefined : new TickClock(data.tickBuffer);

interface OpenCursor {
  readonly cursor: QueryCursor;
  readonly memoryLimit: number;
  /** One row read ahead, so a full last batch already says `done`. */
  ahead: unknown[];
}
const cursors = new Map<string, OpenCursor>();

function extraOf(c: QueryCursor): WireExtra {
  return { stats: { ...c.stats }, warnings: [...c.warnings] };
}

function effectiveLimit(own: number | undefined): number {
  const limits = [own ?? 0, data.memoryLimit].filter((n) => n > 0);
  return limits.length === 0 ? 0 : Math.min(...limits);
}

/** Pulls `n` rows (and one more to know whether the cursor is done), accounting their size. */
function pull(c: OpenCursor, n: number): { rows: unknown[]; done: boolean } {
  const rows = c.ahead.splice(0);
  let bytes = 0;
  const want = n === Number.POSITIVE_INFINITY ? n : n + 1;
  while (rows.length < want) {
    const r = c.cursor.next();
    if (r.done === true) break;
    if (c.memoryLimit > 0) {
      bytes += estimateSize(r.value);
      if (bytes > c.memoryLimit) throw new ArangoError('ERROR_RESOURCE_LIMIT', `query would use more memory than allowed (${c.memoryLimit} bytes)`);
    }
    rows.push(r.value);
  }
  if (rows.length > n) c.ahead = rows.splice(n);
  return { rows, done: c.ahead.length === 0 && (c.cursor.done || rows.length < n) };
}

function send(msg: FromWorker): void {
  port?.postMessage(msg);
}

function run(msg: Extract<ToWorker, { type: 'run' }>): void {
  env.resetReadTxn();
  if (msg.write === true) return runModification(msg);
  const memoryLimit = effectiveLimit(msg.options.memoryLimit);
  const options: QueryOptions = { ...msg.options, memoryLimit, cache: parsed, killCell: new Int32Array(msg.kill) };
  const context = { user: msg.user, database: msg.database };
  const source = new GuardedDataSource(new LmdbDataSource(catalog, msg.database), msg.access);
  const key = PlanCache.key(msg.database, msg.user, msg.query, msg.bindVars, msg.options);
  const fresh = (): PreparedQuery => prepareQuery(msg.query, msg.bindVars, source, options, context);
  // a cached plan is reused only while its collections' definitions are the ones it was planned on
  let prepared = key === undefined ? undefined : plans.get(key, (names) => names.every(([n, def]) => catalog.findCollection(msg.database, n)?.definition === def));
  prepared = prepared === undefined ? fresh() : prepareWith(prepared, source, options, context);
  for (const c of prepared.collections.read) requireAccess(msg.access, c, 'ro');
  for (const c of prepared.collections.write) requireAccess(msg.access, c, 'rw');
  if (prepared.isModification) throw new ArangoError('ERROR_INTERNAL', 'modification query sent to a query worker');
  // plans over named graphs or user functions (bound into the plan) are not reused
  if (key !== undefined && !/\bGRAPH\b/i.test(msg.query) && !msg.query.includes('::')) {
    const names = [...new Set(prepared.collections.read)];
    plans.set(key, prepared, names.map((n) => [n, catalog.findCollection(msg.database, n)?.definition]), key.length * 2);
  }
  const open: OpenCursor = { cursor: prepared.execute(), memoryLimit, ahead: [] };
  const { rows, done } = pull(open, msg.batch);
  if (!done) cursors.set(msg.queryId, open);
  send({ type: 'rows', job: msg.job, rows, done, extra: extraOf(open.cursor) });
}

/**
 * A modification query: executed to the end over this job's snapshot plus an in-memory overlay of
 * its writes; the rows and the write set go to the main thread, which applies the writes (or re-runs
 * the query on a conflict). Nothing is written here: a failed or killed query leaves no trace.
 */
function runModification(msg: Extract<ToWorker, { type: 'run' }>): void {
  if (clock === undefined) throw new ArangoError('ERROR_INTERNAL', 'query worker without a tick clock');
  const memoryLimit = effectiveLimit(msg.options.memoryLimit);
  const options: QueryOptions = { ...msg.options, memoryLimit, cache: parsed, killCell: new Int32Array(msg.kill) };
  const overlay = new WriteOverlaySource(catalog, msg.database, clock, memoryLimit);
  const prepared = prepareQuery(msg.query, msg.bindVars, new GuardedDataSource(overlay, msg.access), options, { user: msg.user, database: msg.database });
  for (const c of prepared.collections.read) requireAccess(msg.access, c, 'ro');
  for (const c of prepared.collections.write) requireAccess(msg.access, c, 'rw');
  const open: OpenCursor = { cursor: prepared.execute(), memoryLimit, ahead: [] };
  const { rows } = pull(open, Number.POSITIVE_INFINITY);
  send({ type: 'rows', job: msg.job, rows, done: true, extra: extraOf(open.cursor), writes: overlay.writeSet() });
}

/** A cached plan is bound to the data source it was planned with; run it again over this query's (guarded) source. */
function prepareWith(cached: PreparedQuery, source: GuardedDataSource, options: QueryOptions, context: { user: string | null; database: string }): PreparedQuery {
  return cached.rebind(source, options, context);
}

function more(msg: Extract<ToWorker, { type: 'more' }>): void {
  const c = cursors.get(msg.queryId);
  if (!c) throw new ArangoError('ERROR_CURSOR_NOT_FOUND');
  env.resetReadTxn();
  try {
    const { rows, done } = pull(c, msg.batch);
    if (done) cursors.delete(msg.queryId);
    send({ type: 'rows', job: msg.job, rows, done, extra: extraOf(c.cursor) });
  } catch (err) {
    cursors.delete(msg.queryId);
    throw err;
  }
}

port.on('message', (msg: ToWorker) => {
  try {
    switch (msg.type) {
      case 'catalog':
        catalog.update(msg.database, msg.definitions);
        return;
      case 'run':
        // a job sent ahead runs only if the pool has not taken it back meanwhile
        if (msg.claim !== undefined && Atomics.compareExchange(new Int32Array(msg.claim.claims), msg.claim.slot, msg.claim.token, -msg.claim.token) !== msg.claim.token) return;
        try {
          run(msg);
        } catch (err) {
          send({ type: 'error', job: msg.job, error: toWireError(err) });
        }
        return;
      case 'more':
        try {
          more(msg);
        } catch (err) {
          send({ type: 'error', job: msg.job, error: toWireError(err) });
        }
        return;
      case 'close':
        cursors.get(msg.queryId)?.cursor.kill();
        cursors.delete(msg.queryId);
        return;
      case 'exit':
        // between jobs, so no LMDB call is under way: terminating a thread inside one aborts the process
        cursors.clear();
        env.resetReadTxn();
        process.exit(0);
    }
  } catch {
    // a bad catalog message leaves the previous catalog in place; the next query reports the error
  } finally {
    // an idle worker holds no snapshot: an open read transaction would keep LMDB from reusing
    // every page freed after it (dropped and truncated data, pruned log entries)
    if (cursors.size === 0) {
      try {
        env.resetReadTxn();
      } catch (err) {
        // an uncaught throw would end the thread and fail an unrelated next job
        send({ type: 'error', job: -1, error: toWireError(err) });
      }
    }
  }
});

/**
 * Query threads run at a lower scheduling priority (Linux: `--query.thread-nice` for this thread only, found
 * through /proc/thread-self), so the main thread serving HTTP, replication and etcd keep-alives gets
 * the cores first and heavy queries use what is left, as ArangoDB's low-priority query queue does.
 * Elsewhere the call fails and the thread keeps the normal priority.
 */
function lowerThreadPriority(nice: number): void {
  if (!(nice > 0)) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, Math.round(nice)));
  } catch {
    // not Linux, or not permitted: normal priority
  }
}
