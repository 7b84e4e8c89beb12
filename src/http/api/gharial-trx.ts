import { ArangoError } from '../../errors/index.ts';
import type { GraphStore, MemberWrite } from '../../graph/index.ts';
import { isPlainObject, type StorageEngine, type WriteOptions, type WriteResult } from '../../storage/index.ts';
import { TransactionDataSource, type StreamTransaction } from '../../transaction/index.ts';

/**
 * A vertex or edge write of the graph API inside a stream transaction (`x-arango-trx-id`): the
 * same checks as outside (edges only between the definition's collections, 1947; both vertices
 * present as the transaction sees them, 1202), and removing a vertex removes its edges in every
 * graph that uses its collection, all in the transaction's own writes and all or nothing. Every
 * collection written must be declared for write in the transaction (1652), as for the document API.
 */
export function writeMemberInTransaction(
  engine: StorageEngine,
  graphs: GraphStore,
  trx: StreamTransaction,
  graph: string,
  kind: 'vertex' | 'edge',
  name: string,
  w: MemberWrite,
  opts: WriteOptions,
): WriteResult {
  const database = trx.database;
  const { g, c } = graphs.member(database, graph, kind, name);
  return trx.atomically(() => {
    if (w.op === 'remove') {
      const target = trx.writable(c.name);
      if (kind === 'edge') return trx.remove(target, w.key, opts);
      const edgeCollections = graphs.edgeCollectionsOf(database, c.name).filter((e) => engine.findCollection(database, e) !== undefined);
      // declared for write up front: nothing is removed when one of them is not
      const writable = edgeCollections.map((e) => trx.writable(e));
      const result = trx.remove(target, w.key, opts);
      const view = new TransactionDataSource(engine, trx);
      const id = `${c.name}/${w.key}`;
      for (const ec of writable) {
        const keys = new Set<string>();
        for (const direction of ['out', 'in'] as const) for (const e of view.edges(ec.name, direction, id)) keys.add(e._key);
        for (const k of keys) trx.remove(ec, k);
      }
      return result;
    }
    const body = w.body;
    if (!isPlainObject(body)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const target = trx.writable(c.name);
    if (kind === 'edge') {
      if (w.op !== 'update' && (body['_from'] === undefined || body['_to'] === undefined)) throw new ArangoError('ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE');
      // an update may change only one end: the other is checked as stored
      graphs.checkEdge(database, g, c.name, body, (coll, key) => trx.get(trx.readable(coll), key) !== undefined);
    }
    if (w.op === 'insert') return trx.insert(target, body, opts);
    return w.op === 'replace' ? trx.replace(target, w.key, body, opts) : trx.update(target, w.key, body, opts);
  });
}
