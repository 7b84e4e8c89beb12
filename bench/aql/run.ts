// npm run bench:aql [-- --quick]: AQL queries against a hand-written lmdb loop computing the
// same result in the same process, on {name, age, city, tags} documents with persistent
// indexes on age and city. Prints one JSON line per query and a summary with the ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { QueryPool, QueryService } from '../../src/query/index.ts';
import { pino as benchPino } from 'pino';
import { StorageEngine, catalog, encodeIndexValue, type Collection, type IndexKeyPart } from '../../src/storage/index.ts';

const quick = process.argv.includes('--quick');
const DOCS = quick ? 200_000 : 1_000_000;
const CITIES = DOCS / 10;
const SECONDS = quick ? 3 : 8;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-bench-aql-'));
const engine = await StorageEngine.open({ dataDir: tmp, retention: { maxAgeSeconds: 3600, maxEntries: 1e9 } }, pino({ level: 'warn' }));
await catalog.bootstrap(engine);
const c = await catalog.createCollection(engine, '_system', 'people');
const t0 = performance.now();
for (let b = 0; b < DOCS; b += 10_000) {
  await engine.write((tx) => {
    for (let i = b; i < b + 10_000; i++) {
      c.insert(tx, { _key: `p${i}`, name: `name-${i}`, age: i % 100, city: `city-${i % CITIES}`, tags: ['x', i % 2 ? 'odd' : 'even'] });
    }
  });
}
const ageIx = (await catalog.createIndex(engine, '_system', 'people', { type: 'persistent', fields: ['age'] })).index.id;
const cityIx = (await catalog.createIndex(engine, '_system', 'people', { type: 'persistent', fields: ['city'] })).index.id;
process.stderr.write(`loaded ${DOCS} documents in ${Math.round(performance.now() - t0)} ms\n`);

// queries run through the query worker pool, as in the server (the worker hop is part of the measurement)
const pool = new QueryPool({ lmdbPath: path.join(tmp, 'kitsune.lmdb'), threads: 2, workerMemoryMb: 1024, memoryLimit: 0, threadNice: 10, log: benchPino({ level: 'silent' }) });
const queries = new QueryService(engine, pool);
const caller = { user: 'root', isAdmin: true, level: () => 'rw' as const };

function prefixRange(values: unknown[]): { start: IndexKeyPart[]; end: IndexKeyPart[] } {
  const start: IndexKeyPart[] = [];
  for (const v of values) encodeIndexValue(v, start);
  return { start, end: [...start, '\uffff\uffff\uffff'] };
}

function docAt(coll: Collection, key: string): Record<string, unknown> {
  return JSON.parse(coll.getRaw(key)?.toString('utf8') ?? 'null') as Record<string, unknown>;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;

/** Runs `fn` repeatedly for `seconds` (at least once); returns calls per second. */
async function rate(fn: (i: number) => unknown | Promise<unknown>, seconds: number): Promise<number> {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  do await fn(n++);
  while (performance.now() < end);
  return n / ((performance.now() - start) / 1000);
}

const cases: Array<{ name: string; target: number; aql: (i: number) => Promise<unknown[]>; hand: (i: number) => unknown[] }> = [
  {
    name: 'city-equality-10-docs',
    target: 0.5,
    aql: async (i) => (await queries.run('_system', 'FOR p IN people FILTER p.city == @city RETURN p', { city: `city-${(i * 7919) % CITIES}` }, {}, caller)).result,
    hand: (i) => [...c.indexScan(cityIx, prefixRange([`city-${(i * 7919) % CITIES}`]))].map((k) => docAt(c, k)),
  },
  {
    name: 'age-range-sort-limit-10',
    target: 0.5,
    aql: async (i) => (await queries.run('_system', 'FOR p IN people FILTER p.age >= @x SORT p.age LIMIT 10 RETURN p', { x: i % 90 }, {}, caller)).result,
    hand: (i) => {
      const start: IndexKeyPart[] = [];
      encodeIndexValue(i % 90, start);
      const out: unknown[] = [];
      for (const k of c.indexScan(ageIx, { start, limit: 10 })) out.push(docAt(c, k));
      return out;
    },
  },
  {
    name: 'full-scan-filter-collect-count',
    target: 0.3,
    aql: async () =>
      (await queries.run('_system', 'FOR p IN people FILTER p.name != "nobody" AND p.tags[1] == "odd" COLLECT city = p.city WITH COUNT INTO n RETURN {city, n}', {}, {}, caller)).result,
    hand: () => {
      const counts = new Map<string, number>();
      for (const { value } of c.docs.getRange({})) {
        const p = JSON.parse(value.toString('utf8')) as { name: string; tags: string[]; city: string };
        if (p.name !== 'nobody' && p.tags[1] === 'odd') counts.set(p.city, (counts.get(p.city) ?? 0) + 1);
      }
      return [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([city, n]) => ({ city, n }));
    },
  },
  {
    name: 'window-rolling-average',
    target: 0.3,
    aql: async () =>
      (await queries.run('_system', 'FOR p IN people WINDOW { preceding: 5, following: 0 } AGGREGATE a = AVG(p.age) COLLECT AGGREGATE s = SUM(a) RETURN s', {}, {}, caller)).result,
    hand: () => {
      const ring: number[] = [];
      let sum = 0;
      let total = 0;
      for (const { value } of c.docs.getRange({})) {
        const p = JSON.parse(value.toString('utf8')) as { age: number };
        ring.push(p.age);
        sum += p.age;
        if (ring.length > 6) sum -= ring.shift() ?? 0;
        total += sum / ring.length;
      }
      return [total];
    },
  },
  {
    name: 'collect-aggregate-1000-groups',
    target: 0.3,
    aql: async () =>
      (await queries.run('_system', 'FOR p IN people COLLECT g = SUBSTRING(p.city, 5, 3) AGGREGATE n = COUNT(1), s = SUM(p.age), m = MAX(p.age) RETURN {g, n, s, m}', {}, {}, caller)).result,
    hand: () => {
      const groups = new Map<string, { n: number; s: number; m: number }>();
      for (const { value } of c.docs.getRange({})) {
        const p = JSON.parse(value.toString('utf8')) as { city: string; age: number };
        const g = p.city.slice(5, 8);
        const cur = groups.get(g);
        if (cur === undefined) groups.set(g, { n: 1, s: p.age, m: p.age });
        else {
          cur.n++;
          cur.s += p.age;
          if (p.age > cur.m) cur.m = p.age;
        }
      }
      return [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([g, v]) => ({ g, ...v }));
    },
  },
];

const summary: Record<string, number> = {};
const ROUNDS = 5;
for (const k of cases) {
  const a = await k.aql(1);
  const h = k.hand(1);
  if (a.length !== h.length) throw new Error(`${k.name}: AQL returned ${a.length} rows, hand loop ${h.length}`);
  // alternate short rounds of both sides, so a noisy neighbour hits both alike; quote medians
  const hands: number[] = [];
  const aqls: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const hq = await rate((i) => k.hand(i), SECONDS / ROUNDS);
    const aq = await rate((i) => k.aql(i), SECONDS / ROUNDS);
    hands.push(hq);
    aqls.push(aq);
    ratios.push(aq / hq);
  }
  const ratio = median(ratios);
  summary[k.name] = ratio;
  process.stdout.write(`${JSON.stringify({ type: 'result', name: k.name, rows: a.length, aqlQueriesPerSec: Math.round(median(aqls) * 10) / 10, handQueriesPerSec: Math.round(median(hands) * 10) / 10, ratio, ratios, target: k.target })}\n`);
}
// concurrency: 8 copies of the city-equality query at once against one copy (queries use both cores)
{
  const city = cases[0];
  if (city === undefined) throw new Error('no city case');
  const concurrent = async (copies: number): Promise<number> => {
    let n = 0;
    const end = performance.now() + (SECONDS / 2) * 1000;
    const start = performance.now();
    await Promise.all(Array.from({ length: copies }, async (_, j) => {
      while (performance.now() < end) await city.aql(n++ * 8 + j);
    }));
    return n / ((performance.now() - start) / 1000);
  };
  const one = await concurrent(1);
  const eight = await concurrent(8);
  summary['city-equality-8-concurrent-vs-1'] = eight / one;
  process.stdout.write(`${JSON.stringify({ type: 'result', name: 'city-equality-8-concurrent-vs-1', oneCopyPerSec: Math.round(one), eightCopiesPerSec: Math.round(eight), ratio: eight / one, target: 1.5 })}\n`);
}
process.stdout.write(`${JSON.stringify({ type: 'summary', docs: DOCS, ratios: summary, date: new Date().toISOString().slice(0, 10), command: quick ? 'npm run bench:aql -- --quick' : 'npm run bench:aql' })}\n`);
await pool.close();
await engine.close();
fs.rmSync(tmp, { recursive: true, force: true });
// the server-level case: document GETs while AQL queries run
await import('./gets-under-queries.ts');
