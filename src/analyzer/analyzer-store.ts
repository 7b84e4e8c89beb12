import { ArangoError, ERRORS, isArangoError } from '../errors/index.ts';
import {
  parseAnalyzerDefinition, sameDefinition, validateAnalyzerName, type AnalyzerDefinition,
} from './analyzer-definition.ts';
import { BUILT_IN_ANALYZERS } from './built-in-analyzers.ts';

/** The system collection holding a database's custom Analyzers (one document per Analyzer, `_key` = name). */
export const ANALYZERS_COLLECTION = '_analyzers';
const SYSTEM_DATABASE = '_system';

/** A stored Analyzer document as this module reads it. */
export type AnalyzerDocument = Readonly<Record<string, unknown>>;

/** The `_analyzers` documents of one database, as the store needs them (the caller adapts its storage). */
export interface AnalyzerDocuments {
  get(name: string): AnalyzerDocument | undefined;
  all(): Iterable<AnalyzerDocument>;
  /** Stores a new document (`_key` = name); creates the collection when missing. */
  insert(doc: Readonly<Record<string, unknown>>): Promise<void>;
  /** Removes one document; false when there was none. */
  remove(name: string): Promise<boolean>;
}

/** An Analyzer as `/_api/analyzer` answers it: `name` is `db::name` for custom ones. */
export interface AnalyzerDescription extends AnalyzerDefinition {
  readonly name: string;
}

/** Where a name points: a built-in, or a custom Analyzer of a database. */
export type ResolvedAnalyzerName =
  | { readonly kind: 'builtin'; readonly name: string; readonly definition: AnalyzerDefinition }
  | { readonly kind: 'custom'; readonly database: string; readonly name: string };

/**
 * Resolves `name`, `db::name` or `::name` (the `_system` database) as seen from `database`.
 * Throws 400 / errorNum 10 on an invalid name, 403 / errorNum 11 when it names a database other
 * than `database` or `_system` (ArangoDB lets only `_system`'s Analyzers be used elsewhere).
 */
export function resolveAnalyzerName(name: unknown, database: string): ResolvedAnalyzerName {
  if (typeof name !== 'string') throw new ArangoError('ERROR_BAD_PARAMETER', 'analyzer name must be a string');
  const sep = name.indexOf('::');
  if (sep < 0) {
    const builtin = BUILT_IN_ANALYZERS.get(name);
    if (builtin !== undefined) return { kind: 'builtin', name, definition: builtin };
    return { kind: 'custom', database, name: validateAnalyzerName(name) };
  }
  const db = sep === 0 ? SYSTEM_DATABASE : name.slice(0, sep);
  const local = validateAnalyzerName(name.slice(sep + 2));
  if (db !== database && db !== SYSTEM_DATABASE) {
    throw new ArangoError('ERROR_FORBIDDEN',
      `Analyzer '${name}' is not accessible. Only analyzers from current database ('${database}')${database === SYSTEM_DATABASE ? '' : ' or system database'} are available`);
  }
  return { kind: 'custom', database: db, name: local };
}

/** Parses a stored document back into a definition (stored documents were validated when created). */
export function definitionFromDocument(doc: AnalyzerDocument): AnalyzerDefinition {
  return parseAnalyzerDefinition(doc['type'], doc['properties'], doc['features']);
}

function describe(database: string, name: string, def: AnalyzerDefinition): AnalyzerDescription {
  return { name: `${database}::${name}`, type: def.type, properties: def.properties, features: def.features };
}

function notFound(name: string): ArangoError {
  return new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', `unable to find analyzer: ${name}`);
}

/**
 * Custom Analyzers of the databases, kept in each database's `_analyzers` collection (so they
 * replicate like any document), plus the global built-ins. Used by `/_api/analyzer`.
 */
export class AnalyzerStore {
  readonly #docs: (database: string) => AnalyzerDocuments;

  constructor(docs: (database: string) => AnalyzerDocuments) {
    this.#docs = docs;
  }

  /**
   * Built-ins first, then the database's own Analyzers by name, then (from another database,
   * when `includeSystem`) the `_system` database's, which queries there may use as `_system::name`.
   */
  list(database: string, includeSystem = false): AnalyzerDescription[] {
    const out: AnalyzerDescription[] = [...BUILT_IN_ANALYZERS].map(([name, d]) => ({ name, ...d }));
    const customOf = (db: string): AnalyzerDescription[] => [...this.#docs(db).all()]
      .map((doc) => describe(db, String(doc['name']), definitionFromDocument(doc)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const system = includeSystem && database !== SYSTEM_DATABASE ? customOf(SYSTEM_DATABASE) : [];
    return [...out, ...customOf(database), ...system];
  }

  /** One Analyzer; 404 / errorNum 1202 when there is none of that name. */
  get(database: string, name: unknown): AnalyzerDescription {
    const r = resolveAnalyzerName(name, database);
    if (r.kind === 'builtin') return { name: r.name, ...r.definition };
    const doc = this.#docs(r.database).get(r.name);
    if (doc === undefined) throw notFound(String(name));
    return describe(r.database, r.name, definitionFromDocument(doc));
  }

  /**
   * Creates an Analyzer; answers whether it is new (an identical existing one is not an error).
   * Throws 400 / errorNum 10 on invalid input or a different Analyzer of the same name, 501 /
   * errorNum 9 for types kitsune does not implement.
   */
  async create(database: string, body: Readonly<Record<string, unknown>>): Promise<{ isNew: boolean; analyzer: AnalyzerDescription }> {
    const r = resolveAnalyzerName(body['name'], database);
    const def = parseAnalyzerDefinition(body['type'], body['properties'], body['features']);
    if (r.kind === 'builtin') {
      if (sameDefinition(r.definition, def)) return { isNew: false, analyzer: { name: r.name, ...r.definition } };
      throw new ArangoError('ERROR_BAD_PARAMETER', `Name collision detected while registering an arangosearch analyzer '${r.name}'`);
    }
    if (r.database !== database) throw new ArangoError('ERROR_FORBIDDEN', `analyzers can only be created in the current database`);
    const docs = this.#docs(database);
    const existing = docs.get(r.name);
    if (existing !== undefined) {
      const old = definitionFromDocument(existing);
      if (sameDefinition(old, def)) return { isNew: false, analyzer: describe(database, r.name, old) };
      throw new ArangoError('ERROR_BAD_PARAMETER', `Name collision detected while registering an arangosearch analyzer '${database}::${r.name}'`);
    }
    try {
      await docs.insert({ _key: r.name, name: r.name, type: def.type, properties: def.properties, features: def.features, revision: 0 });
    } catch (err) {
      // the same name created by a concurrent request: answered as if it had come first
      const now = isArangoError(err) && err.errorNum === ERRORS.ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED.errorNum ? docs.get(r.name) : undefined;
      if (now === undefined) throw err;
      if (!sameDefinition(definitionFromDocument(now), def)) {
        throw new ArangoError('ERROR_BAD_PARAMETER', `Name collision detected while registering an arangosearch analyzer '${database}::${r.name}'`);
      }
      return { isNew: false, analyzer: describe(database, r.name, def) };
    }
    return { isNew: true, analyzer: describe(database, r.name, def) };
  }

  /** Removes a custom Analyzer and answers its full name; 403 for built-ins, 404 when missing. */
  async drop(database: string, name: unknown): Promise<string> {
    const r = resolveAnalyzerName(name, database);
    if (r.kind === 'builtin') throw new ArangoError('ERROR_FORBIDDEN', `built-in analyzer '${r.name}' cannot be removed`);
    if (r.database !== database) throw new ArangoError('ERROR_FORBIDDEN', `analyzers can only be removed in their own database`);
    if (!(await this.#docs(database).remove(r.name))) throw notFound(String(name));
    return `${database}::${r.name}`;
  }
}
