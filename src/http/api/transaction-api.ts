import { ArangoError } from '../../errors/index.ts';
import { isPlainObject } from '../../storage/index.ts';
import type { JsTransactionRunner, TransactionManager, TransactionOptions } from '../../transaction/index.ts';
import type { StorageEngine } from '../../storage/index.ts';
import type { RequestContext } from '../context.ts';
import type { Router } from '../router.ts';
import { queryCaller } from './cursor-api.ts';

/** `collections.read|write|exclusive`: a name or a list of names. */
function names(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  throw new ArangoError('ERROR_BAD_PARAMETER', `collections.${what} must be a collection name or an array of names`);
}

/** Parses the body of `POST /_api/transaction/begin` (ArangoDB's option names). */
function beginOptions(body: unknown): Partial<TransactionOptions> {
  if (!isPlainObject(body)) throw new ArangoError('ERROR_BAD_PARAMETER', 'expecting a JSON object with collections');
  const cols = body['collections'];
  if (!isPlainObject(cols)) throw new ArangoError('ERROR_BAD_PARAMETER', "missing 'collections'");
  const out: { -readonly [K in keyof TransactionOptions]?: TransactionOptions[K] } = {
    read: names(cols['read'], 'read'),
    write: names(cols['write'], 'write'),
    exclusive: names(cols['exclusive'], 'exclusive'),
  };
  if (typeof body['allowImplicit'] === 'boolean') out.allowImplicit = body['allowImplicit'];
  if (typeof body['waitForSync'] === 'boolean') out.waitForSync = body['waitForSync'];
  if (typeof body['lockTimeout'] === 'number') out.lockTimeoutS = body['lockTimeout'];
  if (typeof body['maxTransactionSize'] === 'number' && body['maxTransactionSize'] > 0) out.maxTransactionSize = body['maxTransactionSize'];
  return out;
}

/** The caller's rights on the declared collections (by their own name: a list may give ids). */
function requireDeclared(ctx: RequestContext, engine: StorageEngine, opts: Partial<TransactionOptions>): void {
  const nameOf = (c: string): string => engine.findCollection(ctx.database, c)?.name ?? c;
  for (const c of opts.read ?? []) ctx.requireCollection(nameOf(c), 'ro');
  for (const c of [...(opts.write ?? []), ...(opts.exclusive ?? [])]) ctx.requireCollection(nameOf(c), 'rw');
}

/**
 * `/_api/transaction/begin`, `/_api/transaction/{id}` (status, commit, abort) and the list of
 * running stream transactions. Requests join a transaction with the `x-arango-trx-id` header.
 */
export function registerTransactionApi(router: Router, engine: StorageEngine, transactions: TransactionManager, jsTransactions: JsTransactionRunner): void {
  // JavaScript transaction: the action runs in a transaction process, inside one stream transaction
  router.add('POST', '/_api/transaction', async (ctx: RequestContext) => {
    const body = await ctx.json();
    const opts = beginOptions(body);
    const action = isPlainObject(body) ? body['action'] : undefined;
    if (typeof action !== 'string' || action.trim() === '') throw new ArangoError('ERROR_BAD_PARAMETER', "missing 'action'");
    requireDeclared(ctx, engine, opts);
    const params = isPlainObject(body) ? body['params'] : undefined;
    // the declared collections are checked above, every collection the action reaches as it runs
    const result = await jsTransactions.run({ database: ctx.database, options: opts, action, params, caller: queryCaller(ctx) });
    return { status: 200, body: { error: false, code: 200, result } };
  });

  router.add('POST', '/_api/transaction/begin', async (ctx: RequestContext) => {
    const opts = beginOptions(await ctx.json());
    requireDeclared(ctx, engine, opts);
    const trx = transactions.as(ctx.principal).begin(ctx.database, opts);
    return { status: 201, body: { code: 201, error: false, result: { id: trx.id, status: trx.status } } };
  });

  router.add('GET', '/_api/transaction', (ctx) => ({
    status: 200,
    body: { transactions: transactions.as(ctx.principal).list(ctx.database).map((t) => ({ id: t.id, state: t.status })) },
  }));

  router.add('GET', '/_api/transaction/:id', (ctx) => {
    const id = ctx.param(0);
    return { status: 200, body: { code: 200, error: false, result: { id, status: transactions.as(ctx.principal).status(ctx.database, id) } } };
  });

  router.add('PUT', '/_api/transaction/:id', async (ctx) => {
    const id = ctx.param(0);
    const status = await transactions.as(ctx.principal).commit(ctx.database, id);
    return { status: 200, body: { code: 200, error: false, result: { id, status } } };
  });

  router.add('DELETE', '/_api/transaction/:id', (ctx) => {
    const id = ctx.param(0);
    const status = transactions.as(ctx.principal).abort(ctx.database, id);
    return { status: 200, body: { code: 200, error: false, result: { id, status } } };
  });
}
