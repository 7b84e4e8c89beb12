import { fn, type FunctionContext, type FunctionTable } from './function-types.ts';

/** Bit functions work on integers 0 … 2^32 - 1; anything else is null with warning 1542. */
const MAX = 0xffffffff;

function isBits(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX;
}

function isCount(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function bad(ctx: FunctionContext, name: string): null {
  ctx.warn(1542, `invalid argument type in call to function '${name}()'`);
  return null;
}

/** Keeps the low `bits` bits of `v` (bits 0 … 32), as an unsigned number. */
function keep(v: number, bits: number): number {
  return bits >= 32 ? v >>> 0 : (v & (2 ** bits - 1)) >>> 0;
}

/** BIT_AND / BIT_OR / BIT_XOR: an array (nulls ignored) or two operands. */
function combine(op: (a: number, b: number) => number) {
  return fn(1, 2, (ctx, args, name) => {
    if (args.length === 2) {
      const [a, b] = args;
      return isBits(a) && isBits(b) ? op(a, b) >>> 0 : bad(ctx, name);
    }
    const list = args[0];
    if (!Array.isArray(list)) return bad(ctx, name);
    let acc: number | null = null;
    for (const v of list) {
      if (v === null) continue;
      if (!isBits(v)) return bad(ctx, name);
      acc = acc === null ? v : op(acc, v) >>> 0;
    }
    return acc;
  });
}

/** Bit manipulation functions (3.12 "Bit functions" page). */
export const BIT_FUNCTIONS: FunctionTable = {
  BIT_AND: combine((a, b) => a & b),
  BIT_OR: combine((a, b) => a | b),
  BIT_XOR: combine((a, b) => a ^ b),
  BIT_NEGATE: fn(2, 2, (ctx, [v, bits], name) => (isBits(v) && isCount(bits, 32) ? keep(~v, bits) : bad(ctx, name))),
  BIT_TEST: fn(2, 2, (ctx, [v, i], name) => (isBits(v) && isCount(i, 31) ? ((v >>> i) & 1) === 1 : bad(ctx, name))),
  BIT_POPCOUNT: fn(1, 1, (ctx, [v], name) => {
    if (!isBits(v)) return bad(ctx, name);
    let n = 0;
    for (let x = v >>> 0; x !== 0; x >>>= 1) n += x & 1;
    return n;
  }),
  BIT_SHIFT_LEFT: fn(3, 3, (ctx, [v, s, bits], name) => {
    if (!isBits(v) || !isCount(s, 32) || !isCount(bits, 32)) return bad(ctx, name);
    // bits shifted past position 31 are discarded
    return keep(Number((BigInt(v) << BigInt(s)) & 0xffffffffn), bits);
  }),
  BIT_SHIFT_RIGHT: fn(3, 3, (ctx, [v, s, bits], name) => {
    if (!isBits(v) || !isCount(s, 32) || !isCount(bits, 32)) return bad(ctx, name);
    return keep(s >= 32 ? 0 : v >>> s, bits);
  }),
  BIT_CONSTRUCT: fn(1, 1, (ctx, [list], name) => {
    if (!Array.isArray(list)) return bad(ctx, name);
    let out = 0;
    for (const p of list) {
      if (!isCount(p, 31)) return bad(ctx, name);
      out = (out | (1 << p)) >>> 0;
    }
    return out;
  }),
  BIT_DECONSTRUCT: fn(1, 1, (ctx, [v], name) => {
    if (!isBits(v)) return bad(ctx, name);
    const out: number[] = [];
    for (let i = 0; i < 32; i++) if (((v >>> i) & 1) === 1) out.push(i);
    return out;
  }),
  BIT_TO_STRING: fn(2, 2, (ctx, [v, bits], name) => {
    if (!isBits(v) || !isCount(bits, 32)) return bad(ctx, name);
    if (bits === 0) return '';
    return keep(v, bits).toString(2).padStart(bits, '0');
  }),
  BIT_FROM_STRING: fn(1, 1, (ctx, [s], name) => {
    if (typeof s !== 'string' || !/^[01]*$/.test(s)) return bad(ctx, name);
    // up to 32 digits, leading zeros included
    if (s.length > 32) return bad(ctx, name);
    return s === '' ? 0 : parseInt(s, 2);
  }),
};
