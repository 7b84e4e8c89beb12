// npm run bench:transaction [-- --quick]: a stream transaction of 10 inserts, committed, vs
// 10 single durable inserts, per document (median of rounds, alternating the cases); also the
// 10 inserts as one array request inside the transaction.
// Target (issue #12): the transaction is ≥ 3 × faster per document. Prints JSON lines.
import { startServer, tempDir } from '../../test/harness/server.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 20 : 200;
const DOCS = 10;

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ type: 'result', ...o })}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const tmp = tempDir('kitsune-bench-');
const server = await startServer({ dataDir: tmp.dir });
try {
  const db = server.db();
  const c = await db.createCollection('bench', { waitForSync: true });
  const single: number[] = [];
  const trx: number[] = [];
  const trxBatch: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    for (let i = 0; i < DOCS; i++) await c.save({ r, i });
    single.push((performance.now() - t0) / DOCS);
    t0 = performance.now();
    const t = await db.beginTransaction({ write: c });
    for (let i = 0; i < DOCS; i++) await t.step(() => c.save({ r, i, trx: true }));
    await t.commit();
    trx.push((performance.now() - t0) / DOCS);
    t0 = performance.now();
    const tb = await db.beginTransaction({ write: c });
    await tb.step(() => c.saveAll(Array.from({ length: DOCS }, (_, i) => ({ r, i, batch: true }))));
    await tb.commit();
    trxBatch.push((performance.now() - t0) / DOCS);
  }
  const ratio = median(single) / median(trx);
  emit({ name: 'durable_single_insert_ms_per_doc', median: median(single) });
  emit({ name: 'stream_trx_insert_ms_per_doc', median: median(trx) });
  emit({ name: 'stream_trx_speedup', ratio, target: 3, ok: ratio >= 3 });
  // the same 10 inserts as one array request inside the transaction (begin + 1 step + commit)
  emit({ name: 'stream_trx_array_insert_ms_per_doc', median: median(trxBatch), speedup: median(single) / median(trxBatch) });
} finally {
  await server.stop();
  tmp.cleanup();
}
