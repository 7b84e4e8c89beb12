import { ArangoError } from '../../errors/index.ts';

export type Doc = Record<string, unknown>;

/** What the graph functions need of a named graph: its name, where its vertices live, and `db._query`. */
export interface GraphScope {
  readonly name: string;
  /**
   * The vertex collections of the edge definitions, sorted (ArangoDB searches these, not the
   * orphan collections, for the vertices an example selects).
   */
  readonly vertexCollections: readonly string[];
  query(aql: string, bindVars: Doc): unknown[];
}

/**
 * One generated query's bind parameters. Example keys and values, collection and graph names only
 * ever travel as bind parameters, so no caller-supplied text becomes AQL.
 */
export class Aql {
  readonly bindVars: Doc = {};
  #n = 0;

  value(v: unknown): string {
    const name = `p${this.#n++}`;
    this.bindVars[name] = v === undefined ? null : v;
    return `@${name}`;
  }
  collection(name: string): string {
    const key = `c${this.#n++}`;
    this.bindVars[`@${key}`] = name;
    return `@@${key}`;
  }
  /** A fresh variable name for a subquery. */
  variable(prefix: string): string {
    return `${prefix}${this.#n++}`;
  }
}

export function options(x: unknown): Doc {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Doc) : {};
}

type Matcher = { readonly id: string } | { readonly attrs: readonly (readonly [string, unknown])[] };

/**
 * An example as ArangoDB's graph functions take it: a string is an `_id`, an object a set of
 * attribute values (top-level names, compared with `==`), a list any of its elements; `{}`,
 * `null` and nothing match everything (`null` is returned for that).
 */
function matchers(example: unknown): Matcher[] | null {
  const list: unknown[] = Array.isArray(example) ? example : [example];
  const out: Matcher[] = [];
  for (const e of list) {
    if (typeof e === 'string') out.push({ id: e });
    else if (typeof e === 'object' && e !== null) {
      const attrs = Object.entries(e as Doc);
      if (attrs.length === 0) return null;
      out.push({ attrs });
    } else return null;
  }
  return out;
}

/** `FILTER …` keeping the documents in `v` that match the example ('' when all do). */
export function exampleFilter(q: Aql, example: unknown, v: string): string {
  const ms = matchers(example);
  if (ms === null) return '';
  if (ms.length === 0) return 'FILTER false';
  const terms = ms.map((m) =>
    'id' in m ? `${v}._id == ${q.value(m.id)}` : m.attrs.map(([k, val]) => `${v}[${q.value(k)}] == ${q.value(val)}`).join(' AND '),
  );
  return `FILTER (${terms.join(') OR (')})`;
}

function allOf(q: Aql, collection: string): string {
  const x = q.variable('x');
  return `(FOR ${x} IN ${q.collection(collection)} RETURN ${x})`;
}

/** What `FOR v IN …` iterates for every document of the collections: a collection, or a UNION of them. */
export function documentsOf(q: Aql, collections: readonly string[]): string {
  const [only] = collections;
  if (only === undefined) return '[]';
  if (collections.length === 1) return q.collection(only);
  return `UNION(${collections.map((c) => allOf(q, c)).join(', ')})`;
}

/** The same as a value (`LET ids = …`), where AQL takes no bare collection. */
export function documentList(q: Aql, collections: readonly string[]): string {
  const [only] = collections;
  return only !== undefined && collections.length === 1 ? allOf(q, only) : documentsOf(q, collections);
}

/** `FOR v IN <the graph's vertex collections> FILTER <example>`. */
export function forExample(q: Aql, scope: GraphScope, example: unknown, v: string): string {
  return `FOR ${v} IN ${documentsOf(q, scope.vertexCollections)} ${exampleFilter(q, example, v)}`;
}

function nameList(x: unknown, what: string): string[] {
  if (x === undefined || x === null) return [];
  const list: unknown[] = typeof x === 'string' ? [x] : Array.isArray(x) ? x : [null];
  if (!list.every((n): n is string => typeof n === 'string' && n !== '')) {
    throw new ArangoError('ERROR_BAD_PARAMETER', `${what} must be a collection name or a list of names`);
  }
  return list;
}

/** `FILTER IS_SAME_COLLECTION(…)` for a `…CollectionRestriction` option ('' without one). */
export function collectionFilter(q: Aql, restriction: unknown, v: string, what: string): string {
  const list = nameList(restriction, what);
  return list.length === 0 ? '' : `FILTER (${list.map((c) => `IS_SAME_COLLECTION(${q.value(c)}, ${v})`).join(' OR ')})`;
}

export function restrictedCollections(restriction: unknown, fallback: readonly string[], what: string): readonly string[] {
  const list = nameList(restriction, what);
  return list.length === 0 ? fallback : list;
}

/** What a traversal runs over: `GRAPH "name"`, or the edge collections of `edgeCollectionRestriction`. */
export function traversalTarget(q: Aql, scope: GraphScope, restriction: unknown): string {
  const list = nameList(restriction, 'edgeCollectionRestriction');
  return list.length === 0 ? `GRAPH ${q.value(scope.name)}` : list.map((c) => q.collection(c)).join(', ');
}

/** `direction` of the traversal functions: "outbound", "inbound" or "any" (any case), else 400. */
export function direction(x: unknown, fallback: 'OUTBOUND' | 'ANY'): string {
  if (x === undefined || x === null || x === '') return fallback;
  const d = typeof x === 'string' ? x.toUpperCase() : '';
  if (d === 'OUTBOUND' || d === 'INBOUND' || d === 'ANY') return d;
  throw new ArangoError('ERROR_BAD_PARAMETER', 'direction must be "outbound", "inbound" or "any"');
}

/** `direction` of the path measures, read as ArangoDB does: "outbound", "inbound", anything else any. */
export function measureDirection(x: unknown): string {
  return x === 'outbound' ? 'OUTBOUND' : x === 'inbound' ? 'INBOUND' : 'ANY';
}

/** A depth or length option; like ArangoDB's `options.minDepth || 1`, a missing or 0 value is the default. */
export function depth(x: unknown, fallback: number, what: string): number {
  if (x === undefined || x === null || x === 0 || x === false) return fallback;
  if (typeof x === 'number' && Number.isSafeInteger(x) && x > 0) return x;
  throw new ArangoError('ERROR_BAD_PARAMETER', `${what} must be a non-negative integer`);
}
