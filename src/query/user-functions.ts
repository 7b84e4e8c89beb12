import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import type { UserFunction } from '../aql/index.ts';
import { ArangoError } from '../errors/index.ts';
import { catalog, type StorageEngine } from '../storage/index.ts';
import type { CatalogView } from './lmdb-data-source.ts';

/** How long one call of a user function may run (ArangoDB runs them in V8 with a query time limit). */
export const USER_FUNCTION_TIMEOUT_MS = 5000;
/**
 * On the main thread (queries inside stream transactions) every other request waits for the call,
 * so it gets at most the default `--query.main-thread-max-runtime`.
 */
const CALL_TIMEOUT_MS = isMainThread ? 500 : USER_FUNCTION_TIMEOUT_MS;
const COLLECTION = '_aqlfunctions';
/** Compiled functions kept per thread (main thread and each query worker), least recently used first. */
const COMPILED_ENTRIES = 128;
const NAME_RE = /^[a-zA-Z0-9_]+(::[a-zA-Z0-9_]+)+$/;

/** A registered function as `/_api/aqlfunction` lists it. */
export interface UserFunctionInfo {
  readonly name: string;
  readonly code: string;
  readonly isDeterministic: boolean;
}

const keyOf = (name: string): string => name.toUpperCase().replace(/::/g, ':');

/**
 * Compiles function source in a fresh vm context (no require, no process); throws 1581 when it is
 * not a function. The context has its own microtask queue, drained inside each call and so under
 * its time limit: a function that keeps queueing promises cannot run on after it returned.
 */
function compile(code: string): vm.Context {
  const sandbox = vm.createContext(Object.create(null) as object, { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' });
  try {
    new vm.Script(`globalThis.__fn = (${code});`).runInContext(sandbox, { timeout: USER_FUNCTION_TIMEOUT_MS });
  } catch (err) {
    throw new ArangoError('ERROR_QUERY_FUNCTION_INVALID_CODE', `invalid user function code: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (new vm.Script('typeof __fn').runInContext(sandbox) !== 'function') {
    throw new ArangoError('ERROR_QUERY_FUNCTION_INVALID_CODE');
  }
  return sandbox;
}

const CALL = new vm.Script('JSON.stringify(__fn.apply(null, JSON.parse(__args)) ?? null)');

/** A callable user function: arguments and result cross the sandbox boundary as JSON. */
function callable(info: UserFunctionInfo): UserFunction {
  const sandbox = compile(info.code);
  return {
    deterministic: info.isDeterministic,
    call(args) {
      (sandbox as Record<string, unknown>)['__args'] = JSON.stringify(args);
      let out: unknown;
      try {
        out = CALL.runInContext(sandbox, { timeout: CALL_TIMEOUT_MS });
      } catch (err) {
        throw new ArangoError('ERROR_QUERY_FUNCTION_RUNTIME_ERROR', `user function '${info.name}()' failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return typeof out === 'string' ? (JSON.parse(out) as unknown) : null;
    },
  };
}

/** Compiled functions of this thread by database and key, each with the `_rev` it was compiled from. */
const compiled = new Map<string, { rev: string; fn: UserFunction }>();

/**
 * The callable function `NS::NAME` of a database, or undefined. Reads `_aqlfunctions` through any
 * catalog view, so a query worker resolves functions from its own handle of the storage: each
 * thread compiles the functions it calls into its own sandboxes, recompiling when the stored
 * revision changes.
 */
export function lookupUserFunction(view: CatalogView, database: string, name: string): UserFunction | undefined {
  const doc = view.findCollection(database, COLLECTION)?.get(keyOf(name));
  if (!doc) return undefined;
  const cacheKey = `${database}\u0000${doc._key}`;
  const hit = compiled.get(cacheKey);
  if (hit && hit.rev === doc._rev) {
    compiled.delete(cacheKey);
    compiled.set(cacheKey, hit);
    return hit.fn;
  }
  const fn = callable({ name: String(doc['name']), code: String(doc['code']), isDeterministic: doc['isDeterministic'] === true });
  compiled.delete(cacheKey);
  if (compiled.size >= COMPILED_ENTRIES) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  compiled.set(cacheKey, { rev: doc._rev, fn });
  return fn;
}

/**
 * AQL user functions of one database, kept in its `_aqlfunctions` collection (created on first
 * registration): registration and removal for `/_api/aqlfunction` (main thread, owns writes).
 */
export class UserFunctions {
  readonly #engine: StorageEngine;
  readonly #database: string;

  constructor(engine: StorageEngine, database: string) {
    this.#engine = engine;
    this.#database = database;
  }

  list(namespace?: string): UserFunctionInfo[] {
    const c = this.#engine.findCollection(this.#database, COLLECTION);
    if (!c) return [];
    const prefix = namespace === undefined || namespace === '' ? '' : `${namespace.toUpperCase()}::`;
    return [...c.all()]
      .map((d) => ({ name: String(d['name']), code: String(d['code']), isDeterministic: d['isDeterministic'] === true }))
      .filter((f) => f.name.toUpperCase().startsWith(prefix));
  }

  /** Registers or replaces a function; returns whether it is new. Throws 1580/1581 on a bad name or code. */
  async register(name: unknown, code: unknown, isDeterministic: unknown): Promise<boolean> {
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new ArangoError('ERROR_QUERY_FUNCTION_INVALID_NAME');
    if (typeof code !== 'string') throw new ArangoError('ERROR_QUERY_FUNCTION_INVALID_CODE');
    compile(code);
    if (!this.#engine.findCollection(this.#database, COLLECTION)) {
      await catalog.createCollection(this.#engine, this.#database, COLLECTION, { isSystem: true });
    }
    const c = this.#engine.collection(this.#database, COLLECTION);
    const key = keyOf(name);
    const isNew = c.getRaw(key) === undefined;
    await this.#engine.write((tx) => c.insert(tx, { _key: key, name, code, isDeterministic: isDeterministic === true }, { overwriteMode: 'replace' }));
    return isNew;
  }

  /** Removes a function, or with `group` every function of the namespace; throws 1582 when none matched. */
  async remove(name: string, group: boolean): Promise<number> {
    const c = this.#engine.findCollection(this.#database, COLLECTION);
    const keys = c ? this.list().filter((f) => (group ? f.name.toUpperCase().startsWith(`${name.toUpperCase()}::`) : f.name.toUpperCase() === name.toUpperCase())).map((f) => keyOf(f.name)) : [];
    if (!c || keys.length === 0) throw new ArangoError('ERROR_QUERY_FUNCTION_NOT_FOUND', `user function '${name}' not found`);
    await this.#engine.write((tx) => {
      for (const k of keys) c.remove(tx, k);
    });
    return keys.length;
  }
}
