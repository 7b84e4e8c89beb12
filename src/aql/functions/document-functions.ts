import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { isObject, toStringValue, valuesEqual } from '../values.ts';
import type { AqlDocument } from '../data-source.ts';

function obj(ctx: FunctionContext, name: string, v: unknown): Record<string, unknown> | null {
  return isObject(v) ? v : invalidArg(ctx, name);
}

/** Attribute names from variadic arguments or one array argument. */
function names(args: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (Array.isArray(a)) for (const x of a) out.push(toStringValue(x));
    else out.push(toStringValue(a));
  }
  return out;
}

function mergeRecursive(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const k of Object.keys(b)) {
    const x = out[k];
    const y = b[k];
    out[k] = isObject(x) && isObject(y) ? mergeRecursive(x, y) : y;
  }
  return out;
}

function unsetRecursive(o: Record<string, unknown>, drop: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    if (drop.has(k)) continue;
    const v = o[k];
    out[k] = isObject(v) ? unsetRecursive(v, drop) : v;
  }
  return out;
}

function keepRecursive(o: Record<string, unknown>, keep: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    if (!keep.has(k)) continue;
    const v = o[k];
    out[k] = isObject(v) ? keepRecursive(v, keep) : v;
  }
  return out;
}

/** Splits a document id "coll/key"; undefined when malformed. */
export function splitId(id: string): { collection: string; key: string } | undefined {
  const i = id.indexOf('/');
  if (i <= 0 || i === id.length - 1) return undefined;
  return { collection: id.slice(0, i), key: id.slice(i + 1) };
}

function lookup(ctx: FunctionContext, collection: string | undefined, ref: unknown): AqlDocument | null {
  let id: string;
  if (isObject(ref) && typeof ref['_id'] === 'string') id = ref['_id'];
  else if (typeof ref === 'string') id = ref;
  else return null;
  let coll = collection;
  let key = id;
  const parts = splitId(id);
  if (parts !== undefined) {
    if (coll !== undefined && parts.collection !== coll) return null;
    coll = parts.collection;
    key = parts.key;
  }
  if (coll === undefined || ctx.dataSource.collection(coll) === undefined) return null;
  ctx.requireRead(coll);
  return ctx.dataSource.document(coll, key) ?? null;
}

/** Document functions, including DOCUMENT() which reads from the data source. */
export const DOCUMENT_FUNCTIONS: FunctionTable = {
  MERGE: fn(1, Infinity, (ctx, args, name) => {
    const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    let out: Record<string, unknown> = {};
    for (const a of list) {
      const o = obj(ctx, name, a);
      if (o === null) return null;
      out = { ...out, ...o };
    }
    return out;
  }),
  MERGE_RECURSIVE: fn(1, Infinity, (ctx, args, name) => {
    const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    let out: Record<string, unknown> = {};
    for (const a of list) {
      const o = obj(ctx, name, a);
      if (o === null) return null;
      out = mergeRecursive(out, o);
    }
    return out;
  }),
  UNSET: fn(2, Infinity, (ctx, [d, ...rest], name) => {
    const o = obj(ctx, name, d);
    if (o === null) return null;
    const drop = new Set(names(rest));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) if (!drop.has(k)) out[k] = o[k];
    return out;
  }),
  UNSET_RECURSIVE: fn(2, Infinity, (ctx, [d, ...rest], name) => {
    const o = obj(ctx, name, d);
    return o === null ? null : unsetRecursive(o, new Set(names(rest)));
  }),
  KEEP: fn(2, Infinity, (ctx, [d, ...rest], name) => {
    const o = obj(ctx, name, d);
    if (o === null) return null;
    const out: Record<string, unknown> = {};
    for (const k of names(rest)) if (Object.prototype.hasOwnProperty.call(o, k)) out[k] = o[k];
    return out;
  }),
  KEEP_RECURSIVE: fn(2, Infinity, (ctx, [d, ...rest], name) => {
    const o = obj(ctx, name, d);
    return o === null ? null : keepRecursive(o, new Set(names(rest)));
  }),
  HAS: fn(2, 2, (_c, [d, a]) => isObject(d) && Object.prototype.hasOwnProperty.call(d, toStringValue(a))),
  ATTRIBUTES: fn(1, 3, (ctx, [d, rs, so], name) => {
    const o = obj(ctx, name, d);
    if (o === null) return null;
    let keys = Object.keys(o);
    if (rs === true) keys = keys.filter((k) => !k.startsWith('_'));
    if (so === true) keys.sort();
    return keys;
  }),
  VALUES: fn(1, 2, (ctx, [d, rs], name) => {
    const o = obj(ctx, name, d);
    if (o === null) return null;
    return Object.keys(o).filter((k) => rs !== true || !k.startsWith('_')).map((k) => o[k]);
  }),
  ENTRIES: fn(1, 1, (ctx, [d], name) => {
    const o = obj(ctx, name, d);
    return o === null ? null : Object.keys(o).map((k) => [k, o[k]]);
  }),
  ZIP: fn(2, 2, (ctx, [ks, vs], name) => {
    if (!Array.isArray(ks) || !Array.isArray(vs) || ks.length !== vs.length) return invalidArg(ctx, name);
    const out: Record<string, unknown> = {};
    ks.forEach((k, i) => { out[toStringValue(k)] = vs[i]; });
    return out;
  }),
  TRANSLATE: fn(2, 3, (_c, [v, map, def]) => {
    if (isObject(map)) {
      const k = toStringValue(v);
      if (Object.prototype.hasOwnProperty.call(map, k)) return map[k];
    }
    return def === undefined ? v : def;
  }),
  MATCHES: fn(2, 3, (ctx, [d, ex, ret], name) => {
    if (!isObject(d)) return invalidArg(ctx, name);
    const examples = Array.isArray(ex) ? ex : [ex];
    for (let i = 0; i < examples.length; i++) {
      const e = examples[i];
      if (!isObject(e)) continue;
      if (Object.keys(e).every((k) => valuesEqual(d[k], e[k]))) return ret === true ? i : true;
    }
    return ret === true ? -1 : false;
  }),
  PARSE_IDENTIFIER: fn(1, 1, (ctx, [v], name) => {
    const id = isObject(v) ? v['_id'] : v;
    if (typeof id !== 'string') return invalidArg(ctx, name);
    const p = splitId(id);
    return p === undefined ? invalidArg(ctx, name) : p;
  }),
  IS_SAME_COLLECTION: fn(2, 2, (ctx, [c, d], name) => {
    const id = isObject(d) ? d['_id'] : d;
    if (typeof id !== 'string') return invalidArg(ctx, name);
    return splitId(id)?.collection === toStringValue(c);
  }),
  DOCUMENT: fn(1, 2, (ctx, args) => {
    let coll: string | undefined;
    let ref: unknown;
    if (args.length === 2) { coll = toStringValue(args[0]); ref = args[1]; } else ref = args[0];
    if (Array.isArray(ref)) {
      const out: AqlDocument[] = [];
      for (const r of ref) { const d = lookup(ctx, coll, r); if (d !== null) out.push(d); }
      return out;
    }
    return lookup(ctx, coll, ref);
  }, false),
};
