import { ArangoError } from '../../errors/index.ts';
import { keyOf, type ArangoCollection } from './arangodb-module.ts';
import type { GraphScope } from './graph-aql.ts';
import * as fn from './graph-functions.ts';
import * as measures from './graph-measures.ts';
import type { SyncCall } from './sync-call.ts';

type Doc = Record<string, unknown>;

interface EdgeDefinition {
  collection: string;
  from: string[];
  to: string[];
}

interface GraphBody {
  readonly name: string;
  readonly edgeDefinitions: readonly EdgeDefinition[];
  readonly orphanCollections: readonly string[];
}

function names(x: unknown, what: string): string[] {
  const list = typeof x === 'string' ? [x] : x;
  if (!Array.isArray(list) || list.length === 0 || !list.every((n): n is string => typeof n === 'string' && n !== '')) {
    throw new ArangoError('ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION', `${what} must be a collection name or a non-empty array of names`);
  }
  return list;
}

function plain(x: unknown): unknown {
  return x === undefined ? undefined : (JSON.parse(JSON.stringify(x)) as unknown);
}

function vertexNames(g: GraphBody): string[] {
  const out = new Set<string>();
  for (const d of g.edgeDefinitions) for (const c of [...d.from, ...d.to]) out.add(c);
  for (const c of g.orphanCollections) out.add(c);
  return [...out].sort();
}

/** Where a graph-aware write goes: the graph, the member collection, its kind. */
type MemberWriter = (op: 'insert' | 'replace' | 'update' | 'remove', key: string | undefined, body: unknown, opts: unknown) => unknown;

/**
 * A collection seen through a graph: reads are the collection's own; writes go through the graph
 * (edges checked against the definitions, a removed vertex takes its edges along).
 */
function graphCollection(base: ArangoCollection, kind: 'vertex' | 'edge', write: MemberWriter): ArangoCollection {
  const one = (doc: unknown, opts: unknown): unknown => write('insert', undefined, doc, opts);
  const overrides: Doc = {
    save(...a: unknown[]): unknown {
      // edges: save(from, to, data, options) as in ArangoDB 3.x, or save({_from, _to, …}, options)
      if (kind === 'edge' && typeof a[0] === 'string' && typeof a[1] === 'string') {
        const data = typeof a[2] === 'object' && a[2] !== null ? (a[2] as Doc) : {};
        return one({ ...data, _from: a[0], _to: a[1] }, a[3]);
      }
      return Array.isArray(a[0]) ? a[0].map((d) => one(d, a[1])) : one(a[0], a[1]);
    },
    replace: (sel: unknown, doc: unknown, opts: unknown) => write('replace', keyOf(sel), doc, opts),
    update: (sel: unknown, patch: unknown, opts: unknown) => write('update', keyOf(sel), patch, opts),
    remove: (sel: unknown, opts: unknown) => write('remove', keyOf(sel), undefined, opts),
  };
  overrides['insert'] = overrides['save'];
  return new Proxy(base, {
    get(target, prop) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A named graph as `_graph`/`_create` return it: collections as properties, definition edits as methods. */
class Graph {
  readonly #call: SyncCall;
  readonly #database: string;
  readonly #collection: (name: string) => ArangoCollection | null;
  readonly #query: (q: string, b: Doc) => { toArray(): unknown[] };
  #body: GraphBody;
  #members: string[] = [];

  constructor(call: SyncCall, database: string, db: Doc, body: GraphBody) {
    this.#call = call;
    this.#database = database;
    this.#collection = db['_collection'] as (name: string) => ArangoCollection | null;
    this.#query = db['_query'] as (q: string, b: Doc) => { toArray(): unknown[] };
    this.#body = body;
    this.#expose();
  }

  get __name(): string {
    return this.#body.name;
  }
  get __edgeDefinitions(): EdgeDefinition[] {
    return plain(this.#body.edgeDefinitions) as EdgeDefinition[];
  }
  get __orphanCollections(): string[] {
    return [...this.#body.orphanCollections];
  }

  #expose(): void {
    const self = this as unknown as Doc;
    for (const m of this.#members) delete self[m];
    this.#members = [];
    const edges = new Set(this.#body.edgeDefinitions.map((d) => d.collection));
    for (const name of [...vertexNames(this.#body), ...edges]) {
      const base = this.#collection(name);
      if (base === null || name.startsWith('_') || name in this) continue;
      const kind = edges.has(name) ? 'edge' : 'vertex';
      const write: MemberWriter = (op, key, body, opts) =>
        this.#call('graph.write', this.#database, { graph: this.#body.name, kind, collection: name, op, key, body: plain(body), opts: plain(opts ?? {}) });
      Object.defineProperty(this, name, { value: graphCollection(base, kind, write), enumerable: true, configurable: true });
      this.#members.push(name);
    }
  }

  #edit(args: Doc): this {
    this.#body = this.#call('graph.edit', this.#database, { name: this.#body.name, ...args }) as GraphBody;
    this.#expose();
    return this;
  }

  _vertexCollections(excludeOrphans = false): ArangoCollection[] {
    const orphans = new Set(this.#body.orphanCollections);
    return vertexNames(this.#body)
      .filter((n) => !excludeOrphans || !orphans.has(n))
      .map((n) => this.#collection(n))
      .filter((c): c is ArangoCollection => c !== null);
  }
  _edgeCollections(): ArangoCollection[] {
    return this.#body.edgeDefinitions.map((d) => this.#collection(d.collection)).filter((c): c is ArangoCollection => c !== null);
  }
  _orphanCollections(): string[] {
    return [...this.#body.orphanCollections];
  }
  _addVertexCollection(name: string, createCollection = true): this {
    return this.#edit({ edit: 'addVertexCollection', collection: name, createCollection });
  }
  _removeVertexCollection(name: string, dropCollection = false): this {
    return this.#edit({ edit: 'removeVertexCollection', collection: name, dropCollection });
  }
  _extendEdgeDefinitions(definition: unknown): this {
    return this.#edit({ edit: 'addEdgeDefinition', definition: plain(definition) });
  }
  _editEdgeDefinitions(definition: unknown): this {
    return this.#edit({ edit: 'replaceEdgeDefinition', definition: plain(definition) });
  }
  _deleteEdgeDefinition(name: string, dropCollection = false): this {
    return this.#edit({ edit: 'removeEdgeDefinition', collection: name, dropCollection });
  }
  #edgeEnd(edgeId: unknown, attr: '_from' | '_to'): unknown {
    if (typeof edgeId !== 'string' || !edgeId.includes('/')) throw new ArangoError('ERROR_ARANGO_DOCUMENT_HANDLE_BAD');
    const collection = edgeId.slice(0, edgeId.indexOf('/'));
    if (!this.#body.edgeDefinitions.some((d) => d.collection === collection)) {
      throw new ArangoError('ERROR_GRAPH_EDGE_COLLECTION_NOT_USED', `edge collection does not exist or is not part of the graph: ${collection}`);
    }
    const end = (this.#collection(collection)?.document(edgeId) as Doc | undefined)?.[attr];
    if (typeof end !== 'string') throw new ArangoError('ERROR_GRAPH_INVALID_EDGE', `${edgeId} is not an edge of the graph`);
    const vertexCollection = end.slice(0, end.indexOf('/'));
    if (!this.#scope().vertexCollections.includes(vertexCollection)) {
      throw new ArangoError('ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST', `vertex collection does not exist or is not part of the graph: ${vertexCollection}`);
    }
    return this.#collection(vertexCollection)?.document(end);
  }
  _fromVertex(edgeId: unknown): unknown {
    return this.#edgeEnd(edgeId, '_from');
  }
  _toVertex(edgeId: unknown): unknown {
    return this.#edgeEnd(edgeId, '_to');
  }

  /** The graph as the AQL-generating functions see it (see `graph-functions.ts`, `graph-measures.ts`). */
  #scope(): GraphScope {
    const used = new Set<string>();
    for (const d of this.#body.edgeDefinitions) for (const c of [...d.from, ...d.to]) used.add(c);
    return { name: this.#body.name, vertexCollections: [...used].sort(), query: (q, b) => this.#query(q, b).toArray() };
  }
  _neighbors(vertexExample?: unknown, options?: unknown): unknown[] {
    return fn.neighbors(this.#scope(), vertexExample, options);
  }
  _commonNeighbors(vertex1Example?: unknown, vertex2Example?: unknown, optionsVertex1?: unknown, optionsVertex2?: unknown): unknown[] {
    return fn.commonNeighbors(this.#scope(), vertex1Example, vertex2Example, optionsVertex1, optionsVertex2);
  }
  _countCommonNeighbors(vertex1Example?: unknown, vertex2Example?: unknown, optionsVertex1?: unknown, optionsVertex2?: unknown): unknown[] {
    return fn.countCommonNeighbors(this.#scope(), vertex1Example, vertex2Example, optionsVertex1, optionsVertex2);
  }
  _commonProperties(vertex1Example?: unknown, vertex2Example?: unknown, options?: unknown): unknown[] {
    return fn.commonProperties(this.#scope(), vertex1Example, vertex2Example, options);
  }
  _countCommonProperties(vertex1Example?: unknown, vertex2Example?: unknown, options?: unknown): unknown[] {
    return fn.countCommonProperties(this.#scope(), vertex1Example, vertex2Example, options);
  }
  _vertices(vertexExample?: unknown, options?: unknown): unknown[] {
    return fn.vertices(this.#scope(), vertexExample, options);
  }
  _edges(vertexExample?: unknown, options?: unknown): unknown[] {
    return fn.edges(this.#scope(), vertexExample, options);
  }
  _getConnectingEdges(vertex1Example?: unknown, vertex2Example?: unknown, options?: unknown): unknown[] {
    return fn.connectingEdges(this.#scope(), vertex1Example, vertex2Example, options);
  }
  _paths(options?: unknown): unknown[] {
    return fn.paths(this.#scope(), options);
  }
  _shortestPath(startVertexExample?: unknown, endVertexExample?: unknown, options?: unknown): unknown[] {
    return measures.shortestPath(this.#scope(), startVertexExample, endVertexExample, options);
  }
  _distanceTo(startVertexExample?: unknown, endVertexExample?: unknown, options?: unknown): unknown[] {
    return measures.distanceTo(this.#scope(), startVertexExample, endVertexExample, options);
  }
  _absoluteEccentricity(vertexExample?: unknown, options?: unknown): Doc {
    return measures.absoluteEccentricity(this.#scope(), vertexExample, options);
  }
  _eccentricity(options?: unknown): Doc {
    return measures.eccentricity(this.#scope(), options);
  }
  _absoluteCloseness(vertexExample?: unknown, options?: unknown): Doc {
    return measures.absoluteCloseness(this.#scope(), vertexExample, options);
  }
  _farness(vertexExample?: unknown, options?: unknown): Doc {
    return measures.absoluteCloseness(this.#scope(), vertexExample, options);
  }
  _closeness(options?: unknown): Doc {
    return measures.closeness(this.#scope(), options);
  }
  _absoluteBetweenness(vertexExample?: unknown, options?: unknown): Doc {
    return measures.absoluteBetweenness(this.#scope(), vertexExample, options);
  }
  _betweenness(options?: unknown): Doc {
    return measures.betweenness(this.#scope(), options);
  }
  _radius(options?: unknown): unknown {
    return measures.radius(this.#scope(), options);
  }
  _diameter(options?: unknown): unknown {
    return measures.diameter(this.#scope(), options);
  }
}

/** Builds `require('@arangodb/general-graph')` for one database over its `@arangodb` module. */
export function createGeneralGraphModule(call: SyncCall, database: string, arangodb: Doc): Doc {
  const db = arangodb['db'] as Doc;
  const graph = (body: unknown): Graph => new Graph(call, database, db, body as GraphBody);
  const relation = (collection: unknown, from: unknown, to: unknown): EdgeDefinition => {
    if (typeof collection !== 'string' || collection === '') throw new ArangoError('ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION', 'the relation needs a name');
    return { collection, from: names(from, 'from'), to: names(to, 'to') };
  };
  return {
    _relation: relation,
    _edgeDefinitions: (...relations: unknown[]): unknown[] => [...relations],
    _extendEdgeDefinitions: (definitions: unknown[], ...relations: unknown[]): unknown[] => {
      definitions.push(...relations);
      return definitions;
    },
    _create: (name: unknown, edgeDefinitions: unknown = [], orphanCollections: unknown = [], options: unknown = {}): Graph =>
      graph(call('graph.create', database, { name, edgeDefinitions: plain(edgeDefinitions), orphanCollections: plain(orphanCollections), options: plain(options) })),
    _graph: (name: unknown): Graph => graph(call('graph.get', database, { name })),
    _exists: (name: unknown): boolean => call('graph.exists', database, { name }) === true,
    _list: (): string[] => (call('graph.list', database) as GraphBody[]).map((g) => g.name),
    _listObjects: (): unknown[] => call('graph.list', database) as unknown[],
    _drop: (name: unknown, dropCollections = false): boolean => call('graph.drop', database, { name, dropCollections: dropCollections === true }) === true,
  };
}
