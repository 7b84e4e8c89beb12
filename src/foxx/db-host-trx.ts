import { ArangoError } from '../errors/index.ts';
import { isPlainObject, type WriteOptions } from '../storage/index.ts';
import type { StreamTransaction, TransactionManager } from '../transaction/index.ts';
import type { HostCall } from './runtime/protocol.ts';

/**
 * A service's transaction is idle only while the service computes between two `db` calls; one
 * whose service died (killed worker, request timeout) is aborted after this long, releasing its
 * key locks sooner than a client's stream transaction would.
 */
export const FOXX_TRANSACTION_IDLE_MS = 10_000;

type Args = Readonly<Record<string, unknown>>;

function names(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.filter((n): n is string => typeof n === 'string');
  return [];
}

/** `db._executeTransaction`'s `collections` ({read, write, exclusive, allowImplicit}) and options. */
function beginOptions(args: Args): Parameters<TransactionManager['begin']>[1] {
  const c = isPlainObject(args['collections']) ? args['collections'] : {};
  const out: { -readonly [K in keyof NonNullable<Parameters<TransactionManager['begin']>[1]>]: NonNullable<Parameters<TransactionManager['begin']>[1]>[K] } = {
    read: names(c['read']),
    write: names(c['write']),
    exclusive: names(c['exclusive']),
    allowImplicit: c['allowImplicit'] !== false,
    waitForSync: args['waitForSync'] === true,
  };
  if (typeof args['maxTransactionSize'] === 'number' && args['maxTransactionSize'] > 0) out.maxTransactionSize = args['maxTransactionSize'];
  return out;
}

/** The owner of services' transactions: a name no user can have. */
const FOXX_OWNER = '\u0000foxx';

/** Begins, commits and aborts the stream transaction behind a service's `db._executeTransaction`. */
export async function handleTransactionCall(transactions: TransactionManager, call: HostCall): Promise<unknown> {
  const { database, args } = call;
  switch (call.op) {
    case 'trx.begin': {
      // a service's transaction: no client may join, commit or abort it through the HTTP API
      const trx = transactions.begin(database, beginOptions(args), FOXX_OWNER);
      trx.idleLimitMs = FOXX_TRANSACTION_IDLE_MS;
      return trx.id;
    }
    case 'trx.commit':
      return transactions.commit(database, String(args['id']));
    case 'trx.abort':
      return transactions.abort(database, String(args['id']));
    default:
      throw new ArangoError('ERROR_NOT_IMPLEMENTED', `unknown host call ${call.op}`);
  }
}

/** Document and count operations that run inside the caller's transaction when it has one (AQL too, in db-host). */
export const TRANSACTIONAL_OPS = new Set(['doc.get', 'doc.exists', 'doc.insert', 'doc.update', 'doc.replace', 'doc.remove', 'doc.all', 'doc.byExample', 'coll.count']);

/**
 * Runs a document or count call of a service inside its open transaction: reads see the
 * transaction's snapshot and own writes; writes go to its overlay (committed together or not at all).
 */
export function runInTransaction(
  trx: StreamTransaction,
  call: HostCall,
  helpers: { writeOptions: (x: unknown) => WriteOptions; matches: (doc: Record<string, unknown>, example: Record<string, unknown>) => boolean },
): unknown {
  const { args } = call;
  const name = (): string => {
    const v = args['collection'];
    if (typeof v !== 'string') throw new ArangoError('ERROR_BAD_PARAMETER', 'collection must be a string');
    return v;
  };
  const key = (): string => String(args['key']);
  switch (call.op) {
    case 'doc.get': {
      const doc = trx.get(trx.readable(name()), key());
      if (doc === undefined) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND');
      return doc;
    }
    case 'doc.exists': {
      const doc = trx.get(trx.readable(name()), key());
      return doc === undefined ? false : { _id: doc._id, _key: doc._key, _rev: doc._rev };
    }
    case 'doc.insert':
      return trx.insert(trx.writable(name()), args['doc'], helpers.writeOptions(args['opts']));
    case 'doc.update':
      return trx.update(trx.writable(name()), key(), args['doc'], helpers.writeOptions(args['opts']));
    case 'doc.replace':
      return trx.replace(trx.writable(name()), key(), args['doc'], helpers.writeOptions(args['opts']));
    case 'doc.remove':
      return trx.remove(trx.writable(name()), key(), helpers.writeOptions(args['opts']));
    case 'doc.all':
      return [...trx.all(trx.readable(name()))];
    case 'doc.byExample': {
      const example = isPlainObject(args['example']) ? args['example'] : {};
      const limit = typeof args['limit'] === 'number' ? args['limit'] : Infinity;
      const out: unknown[] = [];
      for (const doc of trx.all(trx.readable(name()))) {
        if (out.length >= limit) break;
        if (helpers.matches(doc, example)) out.push(doc);
      }
      return out;
    }
    case 'coll.count':
      return trx.count(trx.readable(name()));
    default:
      throw new ArangoError('ERROR_NOT_IMPLEMENTED', `unknown host call ${call.op}`);
  }
}
