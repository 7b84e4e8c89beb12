// npm run bench:graph [-- --quick]: the graph and geo benchmarks of issue #12, in one process
// against the storage the server uses (queries go through the query worker pool, as in the server).
//
// * two-hop traversal from 1,000 start vertices on a 100k-edge graph (AQL `FOR v IN 2..2 OUTBOUND`)
//   vs a hand-written lmdb loop over the edge index computing the same sum: target ≥ 0.4 ×.
// * NEAR-style geo query (the 100 nearest of 1 M points, `SORT GEO_DISTANCE(...) LIMIT 100`, with
//   a geo index) vs the same query as a full scan without one: target ≥ 50 ×.
//   `--points=N` scales the point set down (`--quick`: 200k).
// Prints one JSON line per case (medians of alternating rounds) and a summary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { QueryPool, QueryService } from '../../src/query/index.ts';
import { EDGE_COLLECTION, StorageEngine, catalog } from '../../src/storage/index.ts';

const quick = process.argv.includes('--quick');
const pointsArg = process.argv.find((a) => a.startsWith('--points='));
const POINTS = pointsArg !== undefined ? Number(pointsArg.slice('--points='.length)) : quick ? 200_000 : 1_000_000;
const VERTICES = 10_000;
const EDGES = 100_000;
const STARTS = 1_000;
const ROUNDS = quick ? 3 : 5;
const SECONDS = quick ? 1 : 3;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-bench-graph-'));
const engine = await StorageEngine.open({ dataDir: tmp, retention: { maxAgeSeconds: 3600, maxEntries: 1e9 } }, pino({ level: 'warn' }));
await catalog.bootstrap(engine);

// a deterministic pseudo-random graph: every vertex has EDGES / VERTICES outgoing edges, no self-loops
let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const verts = await catalog.createCollection(engine, '_system', 'verts');
const edges = await catalog.createCollection(engine, '_system', 'links', { type: EDGE_COLLECTION });
await engine.write((tx) => {
  for (let i = 0; i < VERTICES; i++) verts.insert(tx, { _key: `v${i}`, w: i % 7 });
});
for (let b = 0; b < EDGES; b += 10_000) {
  await engine.write((tx) => {
    for (let i = b; i < b + 10_000; i++) {
      const from = i % VERTICES;
      let to = Math.floor(rnd() * VERTICES);
      if (to === from) to = (to + 1) % VERTICES;
      edges.insert(tx, { _from: `verts/v${from}`, _to: `verts/v${to}` });
    }
  });
}
const starts = Array.from({ length: STARTS }, (_, i) => `verts/v${(i * 7) % VERTICES}`);

const t0 = performance.now();
const points = await catalog.createCollection(engine, '_system', 'points');
const plain = await catalog.createCollection(engine, '_system', 'points_noindex');
for (let b = 0; b < POINTS; b += 10_000) {
  const batch: Array<{ _key: string; loc: [number, number] }> = [];
  for (let i = b; i < Math.min(POINTS, b + 10_000); i++) batch.push({ _key: `p${i}`, loc: [rnd() * 360 - 180, rnd() * 170 - 85] });
  await engine.write((tx) => {
    for (const d of batch) {
      points.insert(tx, d);
      plain.insert(tx, d);
    }
  });
}
await catalog.createIndex(engine, '_system', 'points', { type: 'geo', fields: ['loc'], body: { type: 'geo', fields: ['loc'], geoJson: true } });
process.stderr.write(`loaded ${VERTICES} vertices, ${EDGES} edges, 2 × ${POINTS} points in ${Math.round(performance.now() - t0)} ms\n`);

const pool = new QueryPool({ lmdbPath: path.join(tmp, 'kitsune.lmdb'), threads: 2, workerMemoryMb: 1024, memoryLimit: 0, threadNice: 10, log: pino({ level: 'silent' }) });
const queries = new QueryService(engine, pool);
const caller = { user: 'root', isAdmin: true, level: () => 'rw' as const };
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;

async function rate(fn: () => unknown | Promise<unknown>, seconds: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  do {
    await fn();
    n++;
  } while (performance.now() < end);
  return n / ((performance.now() - start) / 1000);
}

/** Alternates short rounds of both sides (a noisy neighbour hits both alike); medians. */
async function compare(name: string, target: number, fast: () => Promise<unknown>, slow: () => unknown, labels: [string, string]): Promise<number> {
  const fastRates: number[] = [];
  const slowRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = await rate(slow, SECONDS);
    const f = await rate(fast, SECONDS);
    slowRates.push(s);
    fastRates.push(f);
    ratios.push(f / s);
  }
  const ratio = median(ratios);
  const round = (x: number): number => Math.round(x * 100) / 100;
  process.stdout.write(`${JSON.stringify({ type: 'result', name, [labels[0]]: round(median(fastRates)), [labels[1]]: round(median(slowRates)), ratio: round(ratio), ratios: ratios.map(round), target, ok: ratio >= target })}\n`);
  return ratio;
}

// ---- two-hop traversal -------------------------------------------------------------------------
const TRAVERSAL = 'FOR s IN @starts FOR v IN 2..2 OUTBOUND s links COLLECT AGGREGATE n = COUNT(1), w = SUM(v.w) RETURN { n, w }';
const aqlTraversal = async (): Promise<{ n: number; w: number }> => (await queries.run('_system', TRAVERSAL, { starts }, {}, caller)).result[0] as { n: number; w: number };
const handTraversal = (): { n: number; w: number } => {
  let n = 0;
  let w = 0;
  for (const s of starts) {
    for (const k1 of edges.edgeKeys(s, 'out')) {
      const e1 = JSON.parse(edges.getRaw(k1)?.toString('utf8') ?? 'null') as { _to: string };
      for (const k2 of edges.edgeKeys(e1._to, 'out')) {
        const e2 = JSON.parse(edges.getRaw(k2)?.toString('utf8') ?? 'null') as { _to: string };
        const v = JSON.parse(verts.getRaw(e2._to.slice(e2._to.indexOf('/') + 1))?.toString('utf8') ?? 'null') as { w: number };
        n++;
        w += v.w;
      }
    }
  }
  return { n, w };
};
{
  const a = await aqlTraversal();
  const h = handTraversal();
  if (a.n !== h.n || a.w !== h.w) throw new Error(`traversal: AQL ${JSON.stringify(a)} vs hand loop ${JSON.stringify(h)}`);
  process.stderr.write(`two-hop traversal: ${h.n} paths per query\n`);
}
const summary: Record<string, number> = {};
summary['two-hop-traversal-vs-hand-loop'] = await compare('two-hop-traversal-1000-starts-100k-edges', 0.4, aqlTraversal, handTraversal, ['aqlQueriesPerSec', 'handLoopsPerSec']);

// ---- NEAR-style geo query ----------------------------------------------------------------------
const near = (coll: string): string => `FOR p IN ${coll} SORT GEO_DISTANCE(p.loc, [@lon, @lat]) LIMIT 100 RETURN p._key`;
let probe = 0;
const at = (): { lon: number; lat: number } => {
  probe++;
  return { lon: ((probe * 37) % 360) - 180, lat: ((probe * 17) % 160) - 80 };
};
const withIndex = async (): Promise<unknown[]> => (await queries.run('_system', near('points'), at(), {}, caller)).result;
const fullScan = async (): Promise<unknown[]> => (await queries.run('_system', near('points_noindex'), at(), {}, caller)).result;
{
  const a = (await queries.run('_system', near('points'), { lon: 10, lat: 50 }, {}, caller)).result;
  const b = (await queries.run('_system', near('points_noindex'), { lon: 10, lat: 50 }, {}, caller)).result;
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('geo: the indexed query and the full scan disagree');
}
{
  // the full scan takes seconds per query: fewer, longer rounds would only repeat it
  const fastRates: number[] = [];
  const slowRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    slowRates.push(await rate(fullScan, 0));
    fastRates.push(await rate(withIndex, SECONDS));
  }
  const ratio = median(fastRates) / median(slowRates);
  summary['near-100-geo-index-vs-full-scan'] = ratio;
  process.stdout.write(`${JSON.stringify({ type: 'result', name: `near-100-of-${POINTS}-points`, indexQueriesPerSec: Math.round(median(fastRates) * 10) / 10, fullScanQueriesPerSec: Math.round(median(slowRates) * 100) / 100, ratio: Math.round(ratio * 10) / 10, target: 50, ok: ratio >= 50 })}\n`);
}
process.stdout.write(`${JSON.stringify({ type: 'summary', points: POINTS, edges: EDGES, ratios: summary, date: new Date().toISOString().slice(0, 10), command: process.argv.slice(2).length > 0 ? `npm run bench:graph -- ${process.argv.slice(2).join(' ')}` : 'npm run bench:graph' })}\n`);
await pool.close();
await engine.close();
fs.rmSync(tmp, { recursive: true, force: true });
