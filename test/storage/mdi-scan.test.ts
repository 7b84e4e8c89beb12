// The mdi index's Z-order box search (src/storage/mdi-index.ts) against brute force: random points
// (uniform, negative, duplicates, huge and tiny magnitudes) in 2 and 3 dimensions, random boxes
// (closed, one-sided, degenerate), unique and prefixed layouts; and a selective box reads a small
// part of the index.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { open, type Database, type RootDatabase } from 'lmdb';
import { mdiEntries, mdiScan, type MdiReadStats } from '../../src/storage/mdi-index.ts';
import type { IndexDefinition, IndexKeyPart } from '../../src/storage/index.ts';
import { tempDir } from '../harness/server.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Doc = Record<string, unknown> & { _key: string };

describe('mdi index box search', () => {
  const tmp = tempDir('kitsune-mdi-');
  let env: RootDatabase;
  before(() => { env = open({ path: path.join(tmp.dir, 'db') }); });
  after(async () => { await env.close(); tmp.cleanup(); });

  const fill = async (name: string, ix: IndexDefinition, docs: Doc[]): Promise<Database<string, IndexKeyPart[]>> => {
    const db = env.openDB<string, IndexKeyPart[]>(name, {});
    await env.transaction(() => { for (const d of docs) for (const e of mdiEntries(d, ix)) void db.put(e.key, e.value); });
    return db;
  };

  it('equals brute force in 2 and 3 dimensions, with negative, tiny and huge values', async () => {
    const rnd = prng(42);
    for (const dims of [['x', 'y'], ['x', 'y', 'z']]) {
      const ix: IndexDefinition = { id: `m${dims.length}`, type: 'mdi', name: 'm', fields: dims, unique: false, sparse: false, options: { fieldValueTypes: 'double' } };
      const val = (): number => {
        const k = rnd();
        if (k < 0.05) return (rnd() - 0.5) * 1e300;
        if (k < 0.1) return (rnd() - 0.5) * 1e-300;
        if (k < 0.15) return Math.round(rnd() * 4); // duplicates
        return (rnd() - 0.5) * 200;
      };
      const docs: Doc[] = Array.from({ length: 3000 }, (_, i) => ({ _key: `k${i}`, ...Object.fromEntries(dims.map((f) => [f, val()])) }));
      const db = await fill(`t${dims.length}`, ix, docs);
      for (let q = 0; q < 60; q++) {
        const lower = dims.map(() => (rnd() < 0.2 ? -Infinity : (rnd() - 0.5) * 220));
        const upper = lower.map((l) => (rnd() < 0.2 ? Infinity : (l === -Infinity ? -110 : l) + rnd() * (rnd() < 0.5 ? 20 : 120)));
        if (q % 10 === 0) { lower[0] = 2; upper[0] = 2; }
        const want = docs.filter((d) => dims.every((f, i) => (d[f] as number) >= (lower[i] ?? 0) && (d[f] as number) <= (upper[i] ?? 0))).map((d) => d._key).sort();
        const got = [...mdiScan(db, ix, [], lower, upper)];
        assert.equal(new Set(got).size, got.length, 'each document once');
        assert.deepEqual(got.sort(), want, JSON.stringify({ lower, upper }));
      }
    }
  });

  it('keeps unique and prefixed layouts apart and reads few entries for a selective box', async (t) => {
    const rnd = prng(7);
    const ix: IndexDefinition = { id: 'p', type: 'mdi-prefixed', name: 'p', fields: ['x', 'y'], unique: true, sparse: false, options: { fieldValueTypes: 'double', prefixFields: ['p'] } };
    const n = 50_000;
    const docs: Doc[] = Array.from({ length: n }, (_, i) => ({ _key: `k${i}`, p: ['a', 'b'][i % 2], x: rnd() * 1000, y: rnd() * 1000 }));
    const db = await fill('prefixed', ix, docs);
    for (const [w, p] of [[10, 'a'], [50, 'b'], [200, 'a']] as const) {
      const lo = [rnd() * (1000 - w), rnd() * (1000 - w)] as [number, number];
      const hi = [lo[0] + w, lo[1] + w];
      const stats: MdiReadStats = { entries: 0, seeks: 0 };
      const got = [...mdiScan(db, ix, [p], lo, hi, undefined, stats)].sort();
      const want = docs.filter((d) => d['p'] === p && (d['x'] as number) >= lo[0] && (d['x'] as number) <= (hi[0] ?? 0) && (d['y'] as number) >= lo[1] && (d['y'] as number) <= (hi[1] ?? 0)).map((d) => d._key).sort();
      assert.deepEqual(got, want);
      t.diagnostic(`box ${w}x${w} of 1000x1000, prefix ${p}: ${want.length} results, ${stats.entries} entries read in ${stats.seeks} seeks of ${n} (${n / 2} with the prefix)`);
      assert.ok(stats.entries <= want.length * 3 + 200, `entries read ${stats.entries} for ${want.length} results`);
    }
  });
});
