import { fn, invalidArg, type FunctionTable } from './function-types.ts';
import { isObject, toNumber } from '../values.ts';

/** Dotted quad without leading zeros (ArangoDB rejects "8.8.8.08"). */
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function ipv4ToNumber(s: string): number {
  return s.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** IPv4 helpers, VALUE and MINHASH_COUNT / MINHASH_ERROR. */
export const NETWORK_FUNCTIONS: FunctionTable = {
  IS_IPV4: fn(1, 1, (_c, [v]) => typeof v === 'string' && IPV4_RE.test(v)),
  IPV4_TO_NUMBER: fn(1, 1, (ctx, [v], name) => (typeof v === 'string' && IPV4_RE.test(v) ? ipv4ToNumber(v) : invalidArg(ctx, name))),
  IPV4_FROM_NUMBER: fn(1, 1, (ctx, [v], name) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) return invalidArg(ctx, name);
    return [24, 16, 8, 0].map((shift) => Math.floor(v / 2 ** shift) % 256).join('.');
  }),
  VALUE: fn(2, 2, (ctx, [doc, path], name) => {
    if (!isObject(doc) || !Array.isArray(path)) return invalidArg(ctx, name);
    let cur: unknown = doc;
    for (const step of path) {
      if (typeof step === 'string' && isObject(cur)) cur = cur[step];
      else if (typeof step === 'number' && Array.isArray(cur)) cur = cur[step < 0 ? cur.length + Math.trunc(step) : Math.trunc(step)];
      else return null;
      if (cur === undefined) return null;
    }
    return cur;
  }),
  MINHASH_COUNT: fn(1, 1, (ctx, [e], name) => {
    const err = toNumber(e);
    if (!(err > 0 && err < 1)) return invalidArg(ctx, name);
    return Math.ceil(1 / (err * err));
  }),
  MINHASH_ERROR: fn(1, 1, (ctx, [n], name) => {
    const k = toNumber(n);
    if (!(k >= 1)) return invalidArg(ctx, name);
    return 1 / Math.sqrt(k);
  }),
};
