import type { RootDatabase } from 'lmdb';
import { ArangoError } from '../../errors/index.ts';
import { Collection, type CollectionDefinition } from '../../storage/index.ts';
import type { CatalogView } from '../lmdb-data-source.ts';

/**
 * The catalog as a query worker sees it: collection definitions sent by the main thread (which
 * owns DDL), each opened over this thread's handle of the shared lmdb environment.
 */
export class WorkerCatalog implements CatalogView {
  readonly #env: RootDatabase;
  readonly #databases = new Map<string, Map<string, Collection>>();

  constructor(env: RootDatabase) {
    this.#env = env;
  }

  /** Replaces the collections of a database; unchanged definitions keep their opened collection. */
  update(database: string, definitions: readonly CollectionDefinition[]): void {
    const old = this.#databases.get(database) ?? new Map<string, Collection>();
    const byId = new Map<string, Collection>();
    for (const c of old.values()) byId.set(c.definition.id, c);
    const next = new Map<string, Collection>();
    for (const def of definitions) {
      const existing = byId.get(def.id);
      if (existing) {
        if (existing.definition !== def) existing.setDefinition(def);
        next.set(def.name, existing);
      } else next.set(def.name, new Collection(this.#env, def));
    }
    this.#databases.set(database, next);
  }

  #cols(database: string): Map<string, Collection> {
    const cols = this.#databases.get(database);
    if (!cols) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
    return cols;
  }

  collections(database: string): Collection[] {
    return [...this.#cols(database).values()];
  }

  collection(database: string, nameOrId: string): Collection {
    const c = this.findCollection(database, nameOrId);
    if (!c) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${nameOrId}`);
    return c;
  }

  findCollection(database: string, nameOrId: string): Collection | undefined {
    const cols = this.#cols(database);
    const byName = cols.get(nameOrId);
    if (byName) return byName;
    if (/^\d+$/.test(nameOrId)) for (const c of cols.values()) if (c.definition.id === nameOrId) return c;
    return undefined;
  }
}
