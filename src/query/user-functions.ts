import vm from 'node:vm';
import type { UserFunction } from '../aql/index.ts';
import { ArangoError } from '../errors/index.ts';
import { catalog, type StorageEngine } from '../storage/index.ts';

/** How long one call of a user function may run (ArangoDB runs them in V8 with a query time limit). */
export const USER_FUNCTION_TIMEOUT_MS = 5000;
const COLLECTION = '_aqlfunctions';
const NAME_RE = /^[a-zA-Z0-9_]+(::[a-zA-Z0-9_]+)+$/;

/** A registered function as `/_api/aqlfunction` lists it. */
export interface UserFunctionInfo {
  readonly name: string;
  readonly code: string;
  readonly isDeterministic: boolean;
}

const keyOf = (name: string): string => name.toUpperCase().replace(/::/g, ':');

/** Compiles function source in a fresh vm context (no require, no process); throws 1581 when it is not a function. */
function compile(code: string): vm.Context {
  const sandbox = vm.createContext(Object.create(null) as object, { codeGeneration: { strings: false, wasm: false } });
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
        out = CALL.runInContext(sandbox, { timeout: USER_FUNCTION_TIMEOUT_MS });
      } catch (err) {
        throw new ArangoError('ERROR_QUERY_FUNCTION_RUNTIME_ERROR', `user function '${info.name}()' failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return typeof out === 'string' ? (JSON.parse(out) as unknown) : null;
    },
  };
}

/**
 * AQL user functions of one database, kept in its `_aqlfunctions` collection (created on first
 * registration). Compiled functions are cached by their stored revision.
 */
export class UserFunctions {
  readonly #engine: StorageEngine;
  readonly #database: string;
  readonly #compiled = new Map<string, { rev: string; fn: UserFunction }>();

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

  /** The callable function `NS::NAME`, or undefined. */
  lookup(name: string): UserFunction | undefined {
    const doc = this.#engine.findCollection(this.#database, COLLECTION)?.get(keyOf(name));
    if (!doc) return undefined;
    const hit = this.#compiled.get(doc._key);
    if (hit && hit.rev === doc._rev) return hit.fn;
    const fn = callable({ name: String(doc['name']), code: String(doc['code']), isDeterministic: doc['isDeterministic'] === true });
    this.#compiled.set(doc._key, { rev: doc._rev, fn });
    return fn;
  }
}
