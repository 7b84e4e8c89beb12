import { parse as parseAql } from '../../aql/index.ts';
import { explain as explainAql } from '../../aql/index.ts';
import { ArangoError, errorNameOf } from '../../errors/index.ts';
import { LmdbDataSource, type QueryCaller, type QueryService, type RunOptions, type RunningQuery } from '../../query/index.ts';
import { isPlainObject, type StorageEngine } from '../../storage/index.ts';
import { TransactionDataSource, type TransactionManager } from '../../transaction/index.ts';
import type { HttpReply, RequestContext } from '../context.ts';
import type { Router } from '../router.ts';
import { transactionId } from './document-api.ts';

interface OpenCursor {
  readonly running: RunningQuery;
  /** Rows computed but not yet delivered (non-streamed queries). */
  rows: unknown[];
  readonly batchSize: number;
  readonly count: number | undefined;
  readonly ttlMs: number;
  expiresAt: number;
  busy: boolean;
}

const DEFAULT_BATCH = 1000;
const DEFAULT_TTL_S = 30;

/** The caller of a query or JavaScript transaction: who they are and their level on each collection. */
export function queryCaller(ctx: RequestContext, isWritable: () => boolean = () => true): QueryCaller {
  return { user: ctx.principal?.user ?? null, isAdmin: ctx.isSuperuser, isServer: ctx.principal === null || ctx.principal.superuser, level: (c) => ctx.collectionLevel(c), readOnly: !isWritable() };
}

function numberOption(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', `${name} must be a non-negative number`);
  return v;
}

function runOptions(body: Record<string, unknown>): RunOptions {
  const o = isPlainObject(body['options']) ? body['options'] : {};
  const out: { -readonly [K in keyof RunOptions]: RunOptions[K] } = {};
  if (typeof o['fullCount'] === 'boolean') out.fullCount = o['fullCount'];
  if (typeof o['stream'] === 'boolean') out.stream = o['stream'];
  if (typeof o['failOnWarning'] === 'boolean') out.failOnWarning = o['failOnWarning'];
  const maxRuntime = numberOption(o['maxRuntime'], 'maxRuntime');
  if (maxRuntime !== undefined) out.maxRuntime = maxRuntime;
  const memoryLimit = numberOption(body['memoryLimit'] ?? o['memoryLimit'], 'memoryLimit');
  if (memoryLimit !== undefined) out.memoryLimit = memoryLimit;
  const maxWarningCount = numberOption(o['maxWarningCount'], 'maxWarningCount');
  if (maxWarningCount !== undefined) out.maxWarningCount = maxWarningCount;
  return out;
}

function queryBody(body: unknown): { query: string; bindVars: Record<string, unknown>; body: Record<string, unknown> } {
  if (!isPlainObject(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON object');
  const query = body['query'];
  if (typeof query !== 'string') throw new ArangoError('ERROR_QUERY_EMPTY');
  const bindVars = body['bindVars'] ?? {};
  if (!isPlainObject(bindVars)) throw new ArangoError('ERROR_QUERY_BIND_PARAMETERS_INVALID');
  return { query, bindVars, body };
}

/** `/_api/cursor` (run and page through queries), `/_api/query` (parse, current, kill) and `/_api/explain`. */
export function registerCursorApi(
  router: Router,
  engine: StorageEngine,
  queries: QueryService,
  isWritable: () => boolean,
  transactions: TransactionManager,
): void {
  const cursors = new Map<string, OpenCursor>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, c] of cursors) {
      if (c.expiresAt < now && !c.busy) {
        cursors.delete(id);
        queries.finish(id);
      }
    }
  }, 1000);
  sweep.unref();

  const reply = (c: OpenCursor, rows: unknown[], status: number): HttpReply => {
    const hasMore = c.rows.length > 0 || !c.running.done;
    if (hasMore) {
      c.expiresAt = Date.now() + c.ttlMs;
      cursors.set(c.running.id, c);
    } else {
      cursors.delete(c.running.id);
      queries.finish(c.running.id);
    }
    const body: Record<string, unknown> = { result: rows, hasMore, cached: false, extra: c.running.extra, error: false, code: status };
    if (hasMore) body['id'] = c.running.id;
    if (c.count !== undefined) body['count'] = c.count;
    return { status, body };
  };

  const nextBatch = async (c: OpenCursor): Promise<unknown[]> => {
    if (c.rows.length > 0) return c.rows.splice(0, c.batchSize);
    return queries.pull(c.running, c.batchSize);
  };

  router.add('POST', '/_api/cursor', async (ctx) => {
    const { query, bindVars, body } = queryBody(await ctx.json());
    const options = runOptions(body);
    const batchSize = numberOption(body['batchSize'], 'batchSize') ?? DEFAULT_BATCH;
    if (batchSize < 1) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'batchSize must be at least 1');
    const ttlMs = (numberOption(body['ttl'], 'ttl') ?? DEFAULT_TTL_S) * 1000;
    const stream = options.stream === true;
    const trxId = transactionId(ctx);
    // inside a stream transaction the query runs to the end at once (its writes stand or fall together)
    const { running, rows } =
      trxId === undefined
        ? await queries.start(ctx.database, query, bindVars, options, queryCaller(ctx, isWritable), stream ? batchSize : Number.POSITIVE_INFINITY)
        : await transactions.as(ctx.principal).within(ctx.database, trxId, (trx) =>
            queries.start(ctx.database, query, bindVars, options, queryCaller(ctx, isWritable), Number.POSITIVE_INFINITY, {
              source: new TransactionDataSource(engine, trx),
              atomically: (fn) => trx.atomically(fn),
            }),
          );
    const count = body['count'] === true && !stream ? rows.length : undefined;
    const c: OpenCursor = { running, rows, batchSize, count, ttlMs, expiresAt: 0, busy: false };
    const first = stream && trxId === undefined ? c.rows.splice(0) : c.rows.splice(0, batchSize);
    return reply(c, first, 201);
  });

  const more = async (ctx: RequestContext): Promise<HttpReply> => {
    const c = cursors.get(ctx.param(0));
    if (!c || c.running.database !== ctx.database || c.running.user !== (ctx.principal?.user ?? null)) {
      throw new ArangoError('ERROR_CURSOR_NOT_FOUND');
    }
    if (c.busy) throw new ArangoError('ERROR_CURSOR_BUSY');
    c.busy = true;
    try {
      return reply(c, await nextBatch(c), 200);
    } catch (err) {
      cursors.delete(c.running.id);
      queries.finish(c.running.id);
      throw err;
    } finally {
      c.busy = false;
    }
  };
  router.add('POST', '/_api/cursor/:id', more);
  router.add('PUT', '/_api/cursor/:id', more);
  router.add('POST', '/_api/cursor/:id/:batch', more);

  router.add('DELETE', '/_api/cursor/:id', (ctx) => {
    const id = ctx.param(0);
    const c = cursors.get(id);
    if (!c || c.running.database !== ctx.database || c.running.user !== (ctx.principal?.user ?? null)) throw new ArangoError('ERROR_CURSOR_NOT_FOUND');
    cursors.delete(id);
    queries.finish(id);
    return { status: 202, body: { id, error: false, code: 202 } };
  });

  router.add('POST', '/_api/query', async (ctx) => {
    const { query } = queryBody(await ctx.json());
    return { status: 200, body: { error: false, code: 200, ...parseAql(query) } };
  });

  router.add('POST', '/_api/explain', async (ctx) => {
    const { query, bindVars, body } = queryBody(await ctx.json());
    const options = runOptions(body);
    const result = explainAql(query, bindVars, new LmdbDataSource(engine, ctx.database), options, { user: ctx.principal?.user ?? null, database: ctx.database });
    // as in ArangoDB: failOnWarning turns the first warning of planning into the query's error
    const warning = result.warnings[0];
    if (options.failOnWarning === true && warning !== undefined) throw new ArangoError(errorNameOf(warning.code) ?? 'ERROR_QUERY_SCRIPT', warning.message);
    const rawOptions = isPlainObject(body['options']) ? body['options'] : {};
    const profile = rawOptions['profile'];
    const stats = profile === true || (typeof profile === 'number' && profile > 0)
      ? { ...result.stats, rules: Object.fromEntries(result.plan.rules.map((r) => [r, 0])) }
      : result.stats;
    return { status: 200, body: { error: false, code: 200, ...result, stats } };
  });

  router.add('GET', '/_api/query/current', (ctx) => ({ status: 200, body: queries.current(ctx.database, queryCaller(ctx, isWritable)) }));
  router.add('GET', '/_api/query/slow', (ctx) => ({ status: 200, body: queries.slow(ctx.database, queryCaller(ctx, isWritable)) }));
  router.add('DELETE', '/_api/query/slow', (ctx) => {
    ctx.requireDatabase('rw');
    queries.registry.clearSlow(ctx.database);
    return { status: 200, body: { error: false, code: 200 } };
  });
  router.add('GET', '/_api/query/properties', () => ({ status: 200, body: { error: false, code: 200, ...queries.registry.properties } }));
  router.add('PUT', '/_api/query/properties', async (ctx) => {
    ctx.requireDatabase('rw');
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON object');
    queries.registry.update(body);
    return { status: 200, body: { error: false, code: 200, ...queries.registry.properties } };
  });

  router.add('DELETE', '/_api/query/:id', (ctx) => {
    queries.kill(ctx.database, ctx.param(0), queryCaller(ctx, isWritable));
    return { status: 200, body: { error: false, code: 200 } };
  });
}
