import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { toNumber, valueKey } from '../values.ts';
import { ArangoError } from '../../errors/index.ts';

type Metric = (x: readonly number[], y: readonly number[]) => number;

function numbers(v: unknown): number[] | null {
  return Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'number') ? (v as number[]) : null;
}

/** COSINE_SIMILARITY / L1_DISTANCE / L2_DISTANCE: two vectors, or a matrix (one row per result) and a vector. */
function vectorFn(metric: Metric) {
  return fn(2, 2, (ctx, [a, b], name) => {
    const y = numbers(b);
    if (y === null) return invalidArg(ctx, name);
    if (Array.isArray(a) && a.length > 0 && a.every(Array.isArray)) {
      const out: number[] = [];
      for (const row of a) {
        const x = numbers(row);
        if (x === null || x.length !== y.length) return invalidArg(ctx, name);
        out.push(metric(x, y));
      }
      return out;
    }
    const x = numbers(a);
    if (x === null || x.length !== y.length) return invalidArg(ctx, name);
    return metric(x, y);
  });
}

const cosine: Metric = (x, y) => {
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i] ?? 0;
    const b = y[i] ?? 0;
    dot += a * b;
    nx += a * a;
    ny += b * b;
  }
  return dot / Math.sqrt(nx * ny);
};

const l1: Metric = (x, y) => x.reduce((s, a, i) => s + Math.abs(a - (y[i] ?? 0)), 0);
const l2: Metric = (x, y) => Math.sqrt(x.reduce((s, a, i) => s + (a - (y[i] ?? 0)) ** 2, 0));

/** DECAY_*(value, origin, scale, offset, decay): `value` may be an array of numbers. */
function decayFn(make: (scale: number, decay: number) => (distance: number) => number) {
  return fn(5, 5, (ctx, [value, origin, scale, offset, decay], name) => {
    if (typeof origin !== 'number' || typeof scale !== 'number' || typeof offset !== 'number' || typeof decay !== 'number') return invalidArg(ctx, name);
    if (!(scale > 0) || !(offset >= 0) || !(decay > 0 && decay < 1)) return invalidArg(ctx, name);
    const score = make(scale, decay);
    const one = (v: number): number => score(Math.max(0, Math.abs(v - origin) - offset));
    if (typeof value === 'number') return one(value);
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return (value as number[]).map(one);
    return invalidArg(ctx, name);
  });
}

const MASK64 = (1n << 64n) - 1n;

/** FNV-1a over the UTF-8 bytes of a value's canonical key. */
function hash64(v: unknown): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(valueKey(v), 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

/** splitmix64's finalizer: decorrelates the per-signature-slot hash functions. */
function mix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function encode64(x: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(x);
  return b.toString('base64').replace(/=+$/, '');
}

/** MinHash signature: for each of `k` hash functions, the smallest hash over the distinct values. */
export function minHash(values: readonly unknown[], k: number): string[] {
  const base = [...new Set(values.map(hash64))];
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    const seed = mix64(BigInt(i + 1));
    let min = MASK64;
    for (const h of base) {
      const x = mix64(h ^ seed);
      if (x < min) min = x;
    }
    out.push(encode64(min));
  }
  return out;
}

/** Largest signature MINHASH computes in one call (bounds memory and time). */
const MAX_HASHES = 65536;

/** Vector similarity/distance, decay scoring and MinHash (3.12 numeric and miscellaneous pages). */
export const VECTOR_FUNCTIONS: FunctionTable = {
  COSINE_SIMILARITY: vectorFn(cosine),
  L1_DISTANCE: vectorFn(l1),
  L2_DISTANCE: vectorFn(l2),
  DECAY_GAUSS: decayFn((scale, decay) => {
    const sigma2 = -(scale * scale) / (2 * Math.log(decay));
    return (d) => Math.exp(-(d * d) / (2 * sigma2));
  }),
  DECAY_EXP: decayFn((scale, decay) => {
    const lambda = Math.log(decay) / scale;
    return (d) => Math.exp(lambda * d);
  }),
  DECAY_LINEAR: decayFn((scale, decay) => {
    const s = scale / (1 - decay);
    return (d) => Math.max((s - d) / s, 0);
  }),
  MINHASH: fn(2, 2, (ctx: FunctionContext, [values, n], name) => {
    const k = toNumber(n);
    if (!Array.isArray(values) || typeof n !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_HASHES) return invalidArg(ctx, name);
    return minHash(values, k);
  }),
};
