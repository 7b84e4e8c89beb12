import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { open } from 'lmdb';
import type { Database } from 'arangojs';
import { aql } from 'arangojs/aql';
import { compareValues } from '../../src/aql/index.ts';
import { pino } from 'pino';
import { StorageEngine, catalog, indexKey, type IndexKeyPart } from '../../src/storage/index.ts';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';

/** Repeat count of the property loops (CI runs them once; raise it locally to search harder). */
const REPEAT = Number(process.env['KITSUNE_STRESS_REPEAT'] ?? '1');

/** A small deterministic PRNG so a failure can be replayed from the printed seed. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const ALPHABET = 'aAbBcCmMzZ eéÉèÈêçÇñÑöÖüÜåÅøØæÆß0123456789-_.,!@#$%()[]/\'+=~^`|ąĄłŁΩωЖжЯя€£²ａ\u0301\u0001😀';

function randomString(r: (n: number) => number): string {
  const len = r(7);
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHABET[r(ALPHABET.length)] ?? '';
  // numeric-looking strings: "10" must sort before "9" as strings do
  if (r(5) === 0) s = String(r(2000) - 1000) + (r(2) === 0 ? '' : s);
  return s;
}

function randomValue(r: (n: number) => number, depth: number): unknown {
  switch (r(depth > 1 ? 6 : 9)) {
    case 0: return null;
    case 1: return r(2) === 0;
    case 2: return [0, -0, 1, -1, 1.5, -2.25, 1e300, -1e300, 42, 9, 10][r(11)];
    case 3: case 4: case 5: return randomString(r);
    case 6: return Array.from({ length: r(4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r(4); i > 0; i--) o[randomString(r)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

describe('index order equals AQL order', () => {
  it('stores random values of every type in lmdb in the order of compareValues', async () => {
    const tmp = tempDir();
    const env = open({ path: path.join(tmp.dir, 'x.lmdb') });
    try {
      for (let round = 0; round < REPEAT; round++) {
        const seed = 1234 + round;
        const r = prng(seed);
        const db = env.openDB<string, IndexKeyPart[]>(`p${round}`, {});
        const values = Array.from({ length: 3000 }, () => randomValue(r, 0));
        env.transactionSync(() => values.forEach((v, i) => void db.put(indexKey([v], `k${i}`), JSON.stringify(v))));
        const fromIndex = [...db.getRange({})].map(({ value }) => JSON.parse(value) as unknown);
        const sorted = [...values].sort(compareValues);
        for (let i = 0; i < sorted.length; i++) {
          assert.equal(compareValues(fromIndex[i], sorted[i]), 0, `seed ${seed}, position ${i}: ${JSON.stringify(fromIndex[i])} vs ${JSON.stringify(sorted[i])}`);
        }
      }
    } finally {
      await env.close();
      tmp.cleanup();
    }
  });
});

describe('index keys of an older format', () => {
  it('are rebuilt when the data directory is opened', async () => {
    const tmp = tempDir();
    const log = pino({ level: 'silent' });
    const options = { dataDir: tmp.dir, retention: { maxAgeSeconds: 3600, maxEntries: 1e9 } };
    try {
      let engine = await StorageEngine.open(options, log);
      await catalog.bootstrap(engine);
      const c = await catalog.createCollection(engine, '_system', 'people');
      const ix = (await catalog.createIndex(engine, '_system', 'people', { type: 'persistent', fields: ['name'] })).index.id;
      await engine.write((tx) => ['b', 'B', 'a', 'A'].forEach((name, i) => void c.insert(tx, { _key: `k${i}`, name })));
      await engine.close();
      // an index written by an older release: bytewise string keys and a stale format marker
      const raw = open({ path: path.join(tmp.dir, 'kitsune.lmdb'), maxDbs: 100_000 });
      const idx = raw.openDB<string, IndexKeyPart[]>(`idx:${ix}`, {});
      const meta = raw.openDB<unknown, string>('meta', {});
      await raw.transaction(() => {
        for (const k of idx.getKeys()) void idx.remove(k);
        for (const [i, name] of ['b', 'B', 'a', 'A'].entries()) void idx.put([3, name, `k${i}`], '');
        void meta.put('indexFormat', '1');
      });
      await raw.close();
      engine = await StorageEngine.open(options, log);
      const coll = engine.findCollection('_system', 'people');
      assert.ok(coll);
      const names = [...coll.indexScan(ix, {})].map((k) => coll.get(k)?.['name']);
      assert.deepEqual(names, ['a', 'A', 'b', 'B']);
      await engine.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('index-served SORT and ranges through the server', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('returns the same order with and without a persistent index over mixed-case, accented and numeric-looking names', async () => {
    const users = await db.createCollection('users');
    const plain = await db.createCollection('plain');
    await users.ensureIndex({ type: 'persistent', fields: ['name'] });
    for (let round = 0; round < REPEAT; round++) {
      const r = prng(99 + round);
      const docs = Array.from({ length: 400 }, () => ({ name: r(10) === 0 ? randomValue(r, 1) : randomString(r) }));
      await users.truncate();
      await plain.truncate();
      await users.import(docs);
      await plain.import(docs);
      const q = aql`FOR u IN users SORT u.name RETURN u.name`;
      const plan = await db.explain(q);
      assert.ok(plan.plan.nodes.some((n) => n.type === 'IndexNode'), 'SORT is served by the index');
      const viaIndex = await (await db.query(q)).all();
      const inMemory = await (await db.query(aql`FOR u IN plain SORT u.name RETURN u.name`)).all();
      assert.deepEqual(viaIndex, inMemory);
      const desc = await (await db.query(aql`FOR u IN users SORT u.name DESC RETURN u.name`)).all();
      assert.deepEqual(desc, [...inMemory].reverse());
      const lo = randomString(r);
      const hi = randomString(r);
      const range = aql`FOR u IN users FILTER u.name >= ${lo} && u.name < ${hi} SORT u.name RETURN u.name`;
      const rangeFromIndex = await (await db.query(range)).all();
      const rangeInMemory = await (await db.query(aql`FOR u IN plain FILTER u.name >= ${lo} && u.name < ${hi} SORT u.name RETURN u.name`)).all();
      assert.deepEqual(rangeFromIndex, rangeInMemory, `range [${lo}, ${hi})`);
    }
  });

  it('orders uppercase after lowercase and accents after the base letter, as ICU does', async () => {
    const c = await db.createCollection('names');
    await c.ensureIndex({ type: 'persistent', fields: ['n'] });
    await c.import(['Zoe', 'zoe', 'émile', 'Emile', 'emile', 'adam', 'Adam', '10', '9', '_x', 'Bob'].map((n) => ({ n })));
    const rows = await (await db.query(aql`FOR x IN names SORT x.n RETURN x.n`)).all();
    assert.deepEqual(rows, ['_x', '10', '9', 'adam', 'Adam', 'Bob', 'emile', 'Emile', 'émile', 'zoe', 'Zoe']);
  });
});
