import { ArangoError } from '../errors/index.ts';
import { isPlainObject, type StorageEngine, type Document } from '../storage/index.ts';
import { hashPassword } from './password.ts';
import { isSecretCollection } from './secret-collections.ts';

/** An access level as ArangoDB grants it. */
export type AccessLevel = 'rw' | 'ro' | 'none';

/** The public view of a user (what `/_api/user` returns). */
export interface UserInfo {
  readonly user: string;
  readonly active: boolean;
  readonly extra: Record<string, unknown>;
}

interface DatabaseGrant {
  permissions?: AccessLevel;
  collections?: Record<string, AccessLevel>;
}

/** Parses a `grant` value; throws 400 otherwise. */
export function parseAccessLevel(x: unknown): AccessLevel {
  if (x === 'rw' || x === 'ro' || x === 'none') return x;
  throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', "invalid grant, expected 'rw', 'ro' or 'none'");
}

const RANK: Record<AccessLevel, number> = { none: 0, ro: 1, rw: 2 };

/** True when `have` allows what `need` requires. */
export function allows(have: AccessLevel, need: AccessLevel): boolean {
  return RANK[have] >= RANK[need];
}

/**
 * Users live in `_system/_users` (so they replicate like any document). This store keeps a
 * name → document cache and a resolved-permission cache, both dropped on every change
 * (also when the replication applier writes `_users`, via `invalidate()`).
 */
export class UserStore {
  readonly #engine: StorageEngine;
  #byName: Map<string, Document> | null = null;
  readonly #levels = new Map<string, AccessLevel>();
  readonly #listeners = new Set<() => void>();

  constructor(engine: StorageEngine) {
    this.#engine = engine;
  }

  /** Subscribes to user changes (the authenticator drops its cache). */
  onChange(fn: () => void): void {
    this.#listeners.add(fn);
  }

  /** Drops caches; call after any write to `_users`. */
  invalidate(): void {
    this.#byName = null;
    this.#levels.clear();
    for (const fn of this.#listeners) fn();
  }

  #coll() {
    return this.#engine.collection('_system', '_users');
  }

  #all(): Map<string, Document> {
    if (!this.#byName) {
      const m = new Map<string, Document>();
      for (const d of this.#coll().all()) if (typeof d['user'] === 'string') m.set(d['user'], d);
      this.#byName = m;
    }
    return this.#byName;
  }

  /** The user's document; throws 1703 when unknown. */
  #doc(user: string): Document {
    const d = this.#all().get(user);
    if (!d) throw new ArangoError('ERROR_USER_NOT_FOUND');
    return d;
  }

  has(user: string): boolean {
    return this.#all().has(user);
  }

  get(user: string): UserInfo {
    return toInfo(this.#doc(user));
  }

  list(): UserInfo[] {
    return [...this.#all().values()].map(toInfo);
  }

  /** The stored password hash of an existing, active user; undefined otherwise (checked by the `Authenticator`). */
  storedHash(user: string): unknown {
    const d = this.#all().get(user);
    if (!d || d['active'] === false) return undefined;
    const authData = d['authData'];
    return isPlainObject(authData) ? authData['simple'] : undefined;
  }

  isActive(user: string): boolean {
    const d = this.#all().get(user);
    return d !== undefined && d['active'] !== false;
  }

  /** Creates a user; 1700 for an invalid name, 1702 when it exists. */
  async create(user: unknown, password: unknown, active: unknown, extra: unknown): Promise<UserInfo> {
    if (typeof user !== 'string' || user.length === 0 || user.length > 256) throw new ArangoError('ERROR_USER_INVALID_NAME');
    if (this.has(user)) throw new ArangoError('ERROR_USER_DUPLICATE');
    const doc = {
      user,
      active: active !== false,
      extra: isPlainObject(extra) ? extra : {},
      authData: { active: active !== false, simple: await hashPassword(typeof password === 'string' ? password : '') },
      databases: {},
    };
    await this.#engine.write((tx) => this.#coll().insert(tx, doc));
    this.invalidate();
    return this.get(user);
  }

  /** Updates (PATCH) or replaces (PUT) password, active flag and extra data. */
  async modify(user: string, body: Record<string, unknown>, replace: boolean): Promise<UserInfo> {
    const d = this.#doc(user);
    const patch: Record<string, unknown> = {};
    const active = typeof body['active'] === 'boolean' ? body['active'] : replace ? true : d['active'] !== false;
    patch['active'] = active;
    if (typeof body['passwd'] === 'string') patch['authData'] = { active, simple: await hashPassword(body['passwd']) };
    else if (replace) patch['authData'] = { active, simple: await hashPassword('') };
    if (isPlainObject(body['extra'])) patch['extra'] = body['extra'];
    else if (replace) patch['extra'] = {};
    await this.#engine.write((tx) => this.#coll().update(tx, d._key, patch, { mergeObjects: false }));
    this.invalidate();
    return this.get(user);
  }

  async remove(user: string): Promise<void> {
    const d = this.#doc(user);
    await this.#engine.write((tx) => this.#coll().remove(tx, d._key));
    this.invalidate();
  }

  /** Sets (or with `level` undefined clears) a database or collection grant. `*` means every database/collection. */
  async setAccess(user: string, database: string, collection: string | undefined, level: AccessLevel | undefined): Promise<void> {
    const d = this.#doc(user);
    const dbs = structuredClone(isPlainObject(d['databases']) ? d['databases'] : {}) as Record<string, DatabaseGrant>;
    const grant: DatabaseGrant = dbs[database] ?? {};
    if (collection === undefined) {
      if (level === undefined) delete grant.permissions;
      else grant.permissions = level;
    } else {
      const cols = grant.collections ?? {};
      if (level === undefined) delete cols[collection];
      else cols[collection] = level;
      grant.collections = cols;
    }
    dbs[database] = grant;
    await this.#engine.write((tx) => this.#coll().update(tx, d._key, { databases: dbs }, { mergeObjects: false }));
    this.invalidate();
  }

  /** The user's level on a database (root always `rw`). */
  databaseLevel(user: string, database: string): AccessLevel {
    if (user === 'root') return 'rw';
    const k = `${user}\0${database}`;
    const cached = this.#levels.get(k);
    if (cached) return cached;
    const dbs = this.#grants(user);
    const level = dbs?.[database]?.permissions ?? dbs?.['*']?.permissions ?? 'none';
    this.#levels.set(k, level);
    return level;
  }

  /**
   * The user's level on a collection: collection grant, then `*` grants, then the database level.
   * Secret system collections (`isSecretCollection`) are `none` for every user, root included.
   */
  collectionLevel(user: string, database: string, collection: string): AccessLevel {
    if (isSecretCollection(database, collection)) return 'none';
    if (user === 'root') return 'rw';
    const k = `${user}\0${database}\0${collection}`;
    const cached = this.#levels.get(k);
    if (cached) return cached;
    const dbs = this.#grants(user);
    const level =
      dbs?.[database]?.collections?.[collection] ??
      dbs?.[database]?.collections?.['*'] ??
      dbs?.['*']?.collections?.['*'] ??
      this.databaseLevel(user, database);
    this.#levels.set(k, level);
    return level;
  }

  /** The explicit grants of a user, per database (for GET /_api/user/{user}/database). */
  grants(user: string): Record<string, DatabaseGrant> {
    return this.#grants(user) ?? {};
  }

  #grants(user: string): Record<string, DatabaseGrant> | undefined {
    const d = this.#all().get(user);
    if (!d || d['active'] === false) return undefined;
    return isPlainObject(d['databases']) ? (d['databases'] as Record<string, DatabaseGrant>) : undefined;
  }

  /** Creates `root` with the given password and full access when missing. */
  async ensureRoot(password: string): Promise<boolean> {
    if (this.has('root')) return false;
    await this.create('root', password, true, {});
    await this.setAccess('root', '*', undefined, 'rw');
    return true;
  }
}

function toInfo(d: Document): UserInfo {
  return { user: String(d['user']), active: d['active'] !== false, extra: isPlainObject(d['extra']) ? d['extra'] : {} };
}
