import { ArangoError } from '../errors/index.ts';
// graph-edits imports this module's types only: the cycle holds no values at load time
import { replaceEdgeDefinition } from './graph-edits.ts';
import {
  DOCUMENT_COLLECTION,
  EDGE_COLLECTION,
  catalog,
  isPlainObject,
  type Collection,
  type Document,
  type StorageEngine,
  type WriteContext,
  type WriteOptions,
  type WriteResult,
} from '../storage/index.ts';

/** A vertex or edge write through a graph (gharial's vertex/edge routes, `@arangodb/general-graph`). */
export type MemberWrite =
  | { readonly op: 'insert'; readonly body: Readonly<Record<string, unknown>> }
  | { readonly op: 'replace' | 'update'; readonly key: string; readonly body: Readonly<Record<string, unknown>> }
  | { readonly op: 'remove'; readonly key: string };

/** One edge definition: an edge collection and the vertex collections its edges may connect. */
export interface EdgeDefinition {
  readonly collection: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
}

/** A named graph as kept in `_graphs` (ArangoDB's attribute names). */
export interface GraphDefinition {
  readonly name: string;
  readonly edgeDefinitions: readonly EdgeDefinition[];
  readonly orphanCollections: readonly string[];
}

const GRAPHS = '_graphs';

/** Parses an edge definition from a request body; throws 1923 when malformed. */
export function parseEdgeDefinition(v: unknown): EdgeDefinition {
  const list = (x: unknown): string[] | undefined =>
    typeof x === 'string' ? [x] : Array.isArray(x) && x.every((s): s is string => typeof s === 'string') ? [...new Set(x)] : undefined;
  if (!isPlainObject(v) || typeof v['collection'] !== 'string' || v['collection'] === '') throw new ArangoError('ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION');
  const from = list(v['from']);
  const to = list(v['to']);
  if (!from || !to) throw new ArangoError('ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION');
  return { collection: v['collection'], from: from.sort(), to: to.sort() };
}

/** Every vertex collection of a graph (edge definition ends and orphans). */
export function vertexCollections(g: GraphDefinition): string[] {
  const out = new Set<string>();
  for (const d of g.edgeDefinitions) for (const c of [...d.from, ...d.to]) out.add(c);
  for (const c of g.orphanCollections) out.add(c);
  return [...out].sort();
}

/**
 * Named graphs of the databases: definitions in each database's `_graphs` collection, with
 * ArangoDB's consistency rules (an edge collection has one definition across all graphs,
 * missing collections are created) and the graph-aware document operations.
 */
export class GraphStore {
  readonly #engine: StorageEngine;

  constructor(engine: StorageEngine) {
    this.#engine = engine;
  }

  /** All graphs of a database. */
  list(database: string): GraphDefinition[] {
    const c = this.#engine.findCollection(database, GRAPHS);
    return c ? [...c.all()].map(toDefinition) : [];
  }

  /** A graph; throws 1924 when unknown. */
  get(database: string, name: string): GraphDefinition {
    const doc = this.#engine.findCollection(database, GRAPHS)?.get(name);
    if (!doc) throw new ArangoError('ERROR_GRAPH_NOT_FOUND', `graph '${name}' not found`);
    return toDefinition(doc);
  }

  /** The stored `_graphs` document of a graph (with `_id`, `_rev`). */
  document(database: string, name: string): Document {
    const doc = this.#engine.findCollection(database, GRAPHS)?.get(name);
    if (!doc) throw new ArangoError('ERROR_GRAPH_NOT_FOUND', `graph '${name}' not found`);
    return doc;
  }

  /** Creates a graph and its missing collections. Throws 1925 if it exists, 1920/1921/1944 on bad definitions. */
  async create(database: string, def: GraphDefinition): Promise<Document> {
    if (def.name === '') throw new ArangoError('ERROR_GRAPH_CREATE_MISSING_NAME');
    if (this.#engine.findCollection(database, GRAPHS)?.get(def.name)) throw new ArangoError('ERROR_GRAPH_DUPLICATE');
    const clean = this.#validate(database, def, def.name);
    await this.#ensureCollections(database, clean);
    const graphs = this.#engine.collection(database, GRAPHS);
    await this.#engine.write((tx) => graphs.insert(tx, { _key: clean.name, ...stored(clean) }));
    return this.document(database, clean.name);
  }

  /** Replaces a graph's definition after `change` (edge definitions or orphans edited). */
  async update(database: string, name: string, change: (g: GraphDefinition) => GraphDefinition): Promise<Document> {
    const next = this.#validate(database, change(this.get(database, name)), name);
    await this.#ensureCollections(database, next);
    const graphs = this.#engine.collection(database, GRAPHS);
    await this.#engine.write((tx) => graphs.replace(tx, name, { _key: name, ...stored(next) }));
    return this.document(database, name);
  }

  /**
   * Replaces the edge definition of `collection` in graph `name` and, as ArangoDB does, in every
   * other graph that uses that edge collection, all in one transaction (an edge collection has one
   * definition in all graphs). Vertex collections no definition uses any more become orphans.
   */
  async replaceEdgeDefinition(database: string, name: string, collection: string, def: EdgeDefinition): Promise<Document> {
    const target = this.get(database, name);
    const others = this.list(database).filter((g) => g.name !== name && g.edgeDefinitions.some((d) => d.collection === collection));
    const pending = new Set([name, ...others.map((g) => g.name)]);
    const next = [target, ...others].map((g) => this.#validate(database, replaceEdgeDefinition(g, collection, def), g.name, pending));
    for (const g of next) await this.#ensureCollections(database, g);
    const graphs = this.#engine.collection(database, GRAPHS);
    await this.#engine.write((tx) => {
      for (const g of next) graphs.replace(tx, g.name, { _key: g.name, ...stored(g) });
    });
    return this.document(database, name);
  }

  /** Drops a graph; with `dropCollections`, also its collections no other graph uses. */
  async drop(database: string, name: string, dropCollections: boolean): Promise<void> {
    const g = this.get(database, name);
    const graphs = this.#engine.collection(database, GRAPHS);
    await this.#engine.write((tx) => graphs.remove(tx, name));
    if (!dropCollections) return;
    const stillUsed = new Set(this.list(database).flatMap((o) => [...vertexCollections(o), ...o.edgeDefinitions.map((d) => d.collection)]));
    for (const c of [...g.edgeDefinitions.map((d) => d.collection), ...vertexCollections(g)]) {
      if (!stillUsed.has(c) && this.#engine.findCollection(database, c)) await catalog.dropCollection(this.#engine, database, c);
    }
  }

  /** Drops collection `name` unless a graph still uses it (as vertex or edge collection). */
  async dropIfUnused(database: string, name: string): Promise<void> {
    const used = this.list(database).some((g) => vertexCollections(g).includes(name) || g.edgeDefinitions.some((d) => d.collection === name));
    if (!used && this.#engine.findCollection(database, name)) await catalog.dropCollection(this.#engine, database, name);
  }

  /**
   * Checks an edge's `_from`/`_to` against the graph (1947) and that both vertices exist (1202);
   * `exists` reads a vertex (default: the committed state; a stream transaction passes its own view).
   */
  checkEdge(
    database: string,
    g: GraphDefinition,
    edgeCollection: string,
    edge: Record<string, unknown>,
    exists: (collection: string, key: string) => boolean = (coll, key) => this.#engine.findCollection(database, coll)?.getRaw(key) !== undefined,
  ): void {
    const def = g.edgeDefinitions.find((d) => d.collection === edgeCollection);
    if (!def) throw new ArangoError('ERROR_GRAPH_EDGE_COLLECTION_NOT_USED');
    for (const [attr, allowed] of [['_from', def.from], ['_to', def.to]] as const) {
      const v = edge[attr];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !v.includes('/')) throw new ArangoError('ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE');
      const coll = v.slice(0, v.indexOf('/'));
      if (!allowed.includes(coll)) {
        throw new ArangoError('ERROR_GRAPH_REFERENCED_VERTEX_COLLECTION_NOT_PART_OF_THE_GRAPH', `referenced ${attr} collection '${coll}' is not part of the graph`);
      }
      if (!exists(coll, v.slice(v.indexOf('/') + 1))) {
        throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', `${attr} vertex '${v}' not found`);
      }
    }
  }

  /**
   * Removes a vertex and, in the same transaction, every edge that references it in any
   * edge collection of any graph that uses the vertex's collection.
   */
  removeVertexWithEdges(tx: WriteContext, database: string, vertices: Collection, key: string, remove: () => unknown): unknown {
    const id = `${vertices.name}/${key}`;
    const result = remove();
    for (const name of this.edgeCollectionsOf(database, vertices.name)) {
      const ec = this.#engine.findCollection(database, name);
      if (!ec) continue;
      const keys = new Set([...ec.edgeKeys(id, 'out'), ...ec.edgeKeys(id, 'in')]);
      for (const k of keys) ec.remove(tx, k);
    }
    return result;
  }

  /** The edge collections of every graph that uses `vertexCollection` (whose edges a vertex removal takes along). */
  edgeCollectionsOf(database: string, vertexCollection: string): string[] {
    const out = new Set<string>();
    for (const g of this.list(database)) {
      if (!vertexCollections(g).includes(vertexCollection)) continue;
      for (const d of g.edgeDefinitions) out.add(d.collection);
    }
    return [...out];
  }

  /**
   * The collection `name` of graph `graph` as a vertex (1926 when not one of its vertex
   * collections) or edge collection (1930 when it has no edge definition).
   */
  member(database: string, graph: string, kind: 'vertex' | 'edge', name: string): { g: GraphDefinition; c: Collection } {
    const g = this.get(database, graph);
    if (kind === 'vertex' && !vertexCollections(g).includes(name)) throw new ArangoError('ERROR_GRAPH_COLLECTION_NOT_PART_OF_THE_GRAPH');
    if (kind === 'edge' && !g.edgeDefinitions.some((d) => d.collection === name)) throw new ArangoError('ERROR_GRAPH_EDGE_COLLECTION_NOT_USED');
    return { g, c: this.#engine.collection(database, name) };
  }

  /**
   * Writes a vertex or an edge through a graph with its guarantees: an edge's `_from`/`_to` must
   * lie in its definition's collections and exist; removing a vertex removes, in the same
   * transaction, its edges in every graph that uses its collection.
   */
  async writeMember(database: string, graph: string, kind: 'vertex' | 'edge', name: string, w: MemberWrite, opts: WriteOptions): Promise<WriteResult> {
    const { g, c } = this.member(database, graph, kind, name);
    if (w.op === 'remove') {
      return this.#engine.writeAtomic((tx) =>
        kind === 'vertex' ? (this.removeVertexWithEdges(tx, database, c, w.key, () => c.remove(tx, w.key, opts)) as WriteResult) : c.remove(tx, w.key, opts),
      );
    }
    if (!isPlainObject(w.body)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    if (kind === 'edge' && w.op !== 'update' && (w.body['_from'] === undefined || w.body['_to'] === undefined)) throw new ArangoError('ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE');
    const body = w.body;
    // the vertices are checked inside the write transaction: none can be removed in between
    const check = (): void => {
      if (kind === 'edge') this.checkEdge(database, g, c.name, body);
    };
    if (w.op === 'insert') {
      return this.#engine.write((tx) => {
        check();
        return c.insert(tx, body, opts);
      });
    }
    const key = w.key;
    return this.#engine.write((tx) => {
      check();
      return w.op === 'replace' ? c.replace(tx, key, body, opts) : c.update(tx, key, body, opts);
    });
  }

  /** Checks `def` as graph `name`; graphs named in `pending` are being changed along and are not compared against. */
  #validate(database: string, def: GraphDefinition, name: string, pending: ReadonlySet<string> = new Set([name])): GraphDefinition {
    const seen = new Set<string>();
    for (const d of def.edgeDefinitions) {
      if (seen.has(d.collection)) throw new ArangoError('ERROR_GRAPH_COLLECTION_MULTI_USE');
      seen.add(d.collection);
      for (const other of this.list(database)) {
        if (other.name === name || pending.has(other.name)) continue;
        const od = other.edgeDefinitions.find((x) => x.collection === d.collection);
        if (od && (JSON.stringify(od.from) !== JSON.stringify(d.from) || JSON.stringify(od.to) !== JSON.stringify(d.to))) {
          throw new ArangoError('ERROR_GRAPH_COLLECTION_USE_IN_MULTI_GRAPHS', `${d.collection} has a different definition in graph '${other.name}'`);
        }
      }
      const existing = this.#engine.findCollection(database, d.collection);
      if (existing && existing.definition.type !== EDGE_COLLECTION) throw new ArangoError('ERROR_GRAPH_EDGE_DEFINITION_IS_DOCUMENT');
    }
    const inDefs = new Set(def.edgeDefinitions.flatMap((d) => [...d.from, ...d.to]));
    const orphans = [...new Set(def.orphanCollections)].filter((c) => !inDefs.has(c));
    for (const c of [...inDefs, ...orphans]) {
      if (seen.has(c)) continue;
      const existing = this.#engine.findCollection(database, c);
      if (existing && existing.definition.type !== DOCUMENT_COLLECTION) throw new ArangoError('ERROR_GRAPH_WRONG_COLLECTION_TYPE_VERTEX');
    }
    return { name, edgeDefinitions: def.edgeDefinitions, orphanCollections: orphans };
  }

  async #ensureCollections(database: string, g: GraphDefinition): Promise<void> {
    const edges = new Set(g.edgeDefinitions.map((d) => d.collection));
    for (const c of edges) if (!this.#engine.findCollection(database, c)) await catalog.createCollection(this.#engine, database, c, { type: EDGE_COLLECTION });
    for (const c of vertexCollections(g)) {
      if (!edges.has(c) && !this.#engine.findCollection(database, c)) await catalog.createCollection(this.#engine, database, c, { type: DOCUMENT_COLLECTION });
    }
  }
}

function stored(g: GraphDefinition): Record<string, unknown> {
  return {
    name: g.name,
    edgeDefinitions: g.edgeDefinitions,
    orphanCollections: g.orphanCollections,
    numberOfShards: 1,
    replicationFactor: 1,
    minReplicationFactor: 1,
    writeConcern: 1,
    isSmart: false,
    isDisjoint: false,
    isSatellite: false,
  };
}

function toDefinition(doc: Document): GraphDefinition {
  const defs = Array.isArray(doc['edgeDefinitions']) ? doc['edgeDefinitions'] : [];
  const orphans = Array.isArray(doc['orphanCollections']) ? doc['orphanCollections'] : [];
  return {
    name: doc._key,
    edgeDefinitions: defs.map(parseEdgeDefinition),
    orphanCollections: orphans.filter((x): x is string => typeof x === 'string'),
  };
}
