import { ArangoError } from '../../errors/index.ts';
import { fn, type FunctionTable } from './function-types.ts';
import { isObject, toBool, toNumber, toStringValue, valueKey } from '../values.ts';

/** Miscellaneous functions: NOT_NULL, FIRST_LIST, COLLECTIONS, CURRENT_USER, FAIL, SLEEP, ... */
export const MISC_FUNCTIONS: FunctionTable = {
  NOT_NULL: fn(1, Infinity, (_c, args) => {
    for (const a of args) if (a !== null && a !== undefined) return a;
    return null;
  }),
  FIRST_LIST: fn(1, Infinity, (_c, args) => {
    for (const a of args) if (Array.isArray(a)) return a;
    return null;
  }),
  FIRST_DOCUMENT: fn(1, Infinity, (_c, args) => {
    for (const a of args) if (isObject(a)) return a;
    return null;
  }),
  COLLECTIONS: fn(0, 0, (ctx) => ctx.dataSource.collections().map((c) => ({ _id: c.name, name: c.name })), false),
  COLLECTION_COUNT: fn(1, 1, (ctx, [c]) => ctx.dataSource.count(toStringValue(c)), false),
  CURRENT_USER: fn(0, 0, (ctx) => ctx.user, false),
  CURRENT_DATABASE: fn(0, 0, (ctx) => ctx.database, false),
  VERSION: fn(0, 0, () => '3.12.0'),
  FAIL: fn(0, 1, (_c, [reason]) => {
    const r = reason === undefined ? '' : toStringValue(reason);
    throw new ArangoError("ERROR_QUERY_FAIL_CALLED", `FAIL(${r}) called`);
  }, false),
  ASSERT: fn(2, 2, (_c, [cond, msg]) => {
    if (!toBool(cond)) throw new ArangoError('ERROR_QUERY_USER_ASSERT', toStringValue(msg));
    return true;
  }, false),
  WARN: fn(2, 2, (ctx, [cond, msg]) => {
    if (toBool(cond)) return true;
    ctx.warn(1594, toStringValue(msg));
    return false;
  }, false),
  SLEEP: fn(1, 1, (ctx, [s]) => {
    const until = Date.now() + Math.max(0, toNumber(s)) * 1000;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      ctx.checkAlive();
      const left = until - Date.now();
      if (left <= 0) break;
      Atomics.wait(cell, 0, 0, Math.min(left, 20));
    }
    return null;
  }, false),
  PASSTHRU: fn(1, 1, (_c, [v]) => v, false),
  NOOPT: fn(1, 1, (_c, [v]) => v, false),
  HASH: fn(1, 1, (_c, [v]) => {
    const s = valueKey(v);
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < s.length; i++) {
      h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619);
      h2 = Math.imul(h2 ^ s.charCodeAt(i), 2246822519);
    }
    return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
  }),
};
