import {
  type AqlDocument,
  type CollectionDescription,
  type DataSource,
  type GraphDefinition,
  type IndexScanRange,
  type UserFunction,
  type WriteOptions as AqlWriteOptions,
  type WriteResult as AqlWriteResult,
} from '../aql/index.ts';
import { LmdbDataSource } from '../query/index.ts';
import { indexScanBounds, storageOptions } from '../query/lmdb-data-source.ts';
import { mergeInIndexOrder } from '../query/worker/overlay-scan.ts';
import { fulltextSearch, mdiScan, parseFulltextQuery, type Document, type StorageEngine, type WriteResult } from '../storage/index.ts';
import type { StreamTransaction } from './stream-transaction.ts';


/**
 * The AQL data source of a query running inside a stream transaction: reads see the
 * transaction's snapshot with its own writes on top; writes go to the transaction.
 */
export class TransactionDataSource implements DataSource {
  readonly #trx: StreamTransaction;
  readonly #catalog: LmdbDataSource;

  constructor(engine: StorageEngine, trx: StreamTransaction) {
    this.#trx = trx;
    this.#catalog = new LmdbDataSource(engine, trx.database);
  }

  collections(): readonly CollectionDescription[] {
    return this.#catalog.collections();
  }

  collection(name: string): CollectionDescription | undefined {
    return this.#catalog.collection(name);
  }

  graph(name: string): GraphDefinition | undefined {
    return this.#catalog.graph(name);
  }

  userFunction(name: string): UserFunction | undefined {
    return this.#catalog.userFunction(name);
  }

  count(collection: string): number {
    return this.#trx.count(this.#trx.readable(collection));
  }

  document(collection: string, key: string): AqlDocument | undefined {
    return this.#trx.get(this.#trx.readable(collection), key);
  }

  scan(collection: string): Iterable<AqlDocument> {
    return this.#trx.all(this.#trx.readable(collection));
  }

  *edges(collection: string, direction: 'out' | 'in', vertexId: string): Iterable<AqlDocument> {
    const c = this.#trx.readable(collection);
    const own = this.#trx.overlay(c);
    for (const key of c.edgeKeys(vertexId, direction, this.#trx.snapshot)) {
      if (own?.has(key)) continue;
      const doc = this.#trx.get(c, key);
      if (doc) yield doc;
    }
    const attr = direction === 'out' ? '_from' : '_to';
    for (const doc of own?.values() ?? []) if (doc && doc[attr] === vertexId) yield doc;
  }

  /** The index as of the snapshot when the transaction has not written to the collection; else undefined (FULLTEXT() scans). */
  fulltext(collection: string, indexId: string, query: string, limit: number): Iterable<AqlDocument> | undefined {
    const c = this.#trx.readable(collection);
    const own = this.#trx.overlay(c);
    if (own !== undefined && own.size > 0) return undefined;
    const id = indexId.includes('/') ? indexId.slice(indexId.indexOf('/') + 1) : indexId;
    const keys = fulltextSearch(c.geoIndex(id), parseFulltextQuery(query), this.#trx.snapshot).slice(0, limit);
    return keys.flatMap((k) => this.#trx.get(c, k) ?? []);
  }

  /** The index as of the snapshot when the transaction has not written to the collection; else undefined (the query scans). */
  mdiScan(collection: string, indexId: string, prefix: readonly unknown[], lower: readonly number[], upper: readonly number[]): Iterable<AqlDocument> | undefined {
    const c = this.#trx.readable(collection);
    const own = this.#trx.overlay(c);
    const id = indexId.includes('/') ? indexId.slice(indexId.indexOf('/') + 1) : indexId;
    const ix = c.definition.indexes.find((i) => i.id === id);
    if ((own !== undefined && own.size > 0) || ix === undefined) return undefined;
    const trx = this.#trx;
    return (function* () {
      for (const k of mdiScan(c.geoIndex(id), ix, prefix, lower, upper, trx.snapshot)) {
        const d = trx.get(c, k);
        if (d) yield d;
      }
    })();
  }

  *indexScan(collection: string, indexId: string, range: IndexScanRange): Iterable<AqlDocument> {
    const c = this.#trx.readable(collection);
    const id = indexId.includes('/') ? indexId.slice(indexId.indexOf('/') + 1) : indexId;
    const own = this.#trx.overlay(c);
    const bounds = indexScanBounds(range);
    const fromSnapshot = (function* (trx: StreamTransaction): Generator<Document> {
      for (const key of c.indexScan(id, bounds, trx.snapshot)) {
        if (own?.has(key)) continue;
        const doc = trx.get(c, key);
        if (doc) yield doc;
      }
    })(this.#trx);
    if (!own || own.size === 0) {
      yield* fromSnapshot;
      return;
    }
    // the transaction wrote to this collection: merge its matching documents in index order
    yield* mergeInIndexOrder(c, id, range, fromSnapshot, own);
  }

  insert(collection: string, doc: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#trx.insert(this.#trx.writable(collection), doc, storageOptions(options)));
  }

  update(collection: string, key: string, patch: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#trx.update(this.#trx.writable(collection), key, patch, storageOptions(options)));
  }

  replace(collection: string, key: string, doc: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#trx.replace(this.#trx.writable(collection), key, doc, storageOptions(options)));
  }

  remove(collection: string, key: string, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#trx.remove(this.#trx.writable(collection), key, storageOptions(options)));
  }
}

function toResult(r: WriteResult): AqlWriteResult {
  return { new: r.new ?? null, old: r.old ?? null };
}
