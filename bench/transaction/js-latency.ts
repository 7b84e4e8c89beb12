// npm run bench:js-transaction: latency of a trivial JavaScript transaction (POST /_api/transaction,
// one read of a declared collection), median/p90 of 200 sequential ones after 10 warm-up calls.
// Prints JSON lines.
import { startServer, tempDir } from '../../test/harness/server.ts';

const ROUNDS = process.argv.includes('--quick') ? 50 : 200;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0;
}

const tmp = tempDir('kitsune-bench-');
const server = await startServer({ dataDir: tmp.dir });
try {
  const db = server.db();
  await db.createCollection('jsbench');
  const action = 'function (p) { return require("@arangodb").db.jsbench.count() + p.n; }';
  for (let i = 0; i < 10; i++) await db.executeTransaction({ read: ['jsbench'] }, action, { params: { n: i } });
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await db.executeTransaction({ read: ['jsbench'] }, action, { params: { n: i } });
    ms.push(performance.now() - t0);
  }
  process.stdout.write(`${JSON.stringify({ type: 'result', name: 'js_transaction_trivial_ms', rounds: ROUNDS, median: quantile(ms, 0.5), p90: quantile(ms, 0.9) })}\n`);
} finally {
  await server.stop();
  tmp.cleanup();
}
