// The query pool sends a waiting job ahead to a busy worker so the thread goes from job to job
// without waiting for the main thread; a job sent ahead behind one that turns out long is taken
// back and runs elsewhere, a killed one is answered at once, and every job gets its own rows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QueryCaller, QueryService } from '../../src/query/index.ts';
import { startQueryEngine, type QueryEngine } from '../harness/query-engine.ts';

const root: QueryCaller = { user: 'root', isAdmin: true, level: () => 'rw' };
// a memory limit keeps queries off the inline lane: these tests are about the pool
const viaPool = { memoryLimit: 1e9 };

describe('query pool: jobs sent ahead to busy workers', () => {
  let qe: QueryEngine;
  let queries: QueryService;
  before(async () => {
    qe = await startQueryEngine('kitsune-ahead-');
    queries = qe.queries;
  });
  after(async () => {
    await qe.close();
  });

  it('answers every one of many concurrent queries with its own rows', async () => {
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => queries.run('_system', 'RETURN [@i, @i * 2]', { i }, viaPool, root)));
    assert.deepEqual(results.map((r) => r.result[0]), Array.from({ length: 400 }, (_, i) => [i, i * 2]));
  });

  it('does not keep short queries waiting behind a long one', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      let longDone = false;
      const long = queries.run('_system', 'RETURN LENGTH(FOR i IN 1..4000000 FILTER i % 7 == 0 RETURN i)', {}, viaPool, root).then((r) => {
        longDone = true;
        return r;
      });
      // submitted while the long query has just started: those sent ahead to its worker are taken back and run on the other
      const short = await Promise.all(Array.from({ length: 6 }, (_, i) => queries.run('_system', 'RETURN @i', { i }, viaPool, root).then((r) => ({ r: r.result[0], longDone }))));
      assert.deepEqual(short.map((s) => s.r), [0, 1, 2, 3, 4, 5]);
      assert.ok(short.every((s) => !s.longDone), `round ${round}: a short query waited for the long one: ${JSON.stringify(short)}`);
      assert.deepEqual((await long).result, [571428]);
    }
  });

  it('answers a killed query at once, also one waiting behind a running query', { timeout: 60_000 }, async () => {
    const long = Array.from({ length: 2 }, () => queries.run('_system', 'RETURN LENGTH(FOR i IN 1..3000000 FILTER i % 7 == 0 RETURN i)', {}, viaPool, root));
    const waiting = queries.run('_system', 'RETURN SLEEP(0.2) || 1', {}, viaPool, root);
    const [running] = queries.current('_system', root).filter((q) => q.query.startsWith('RETURN SLEEP'));
    assert.ok(running !== undefined);
    const t0 = performance.now();
    queries.kill('_system', running.id, root);
    await assert.rejects(waiting, { errorNum: 1500 });
    assert.ok(performance.now() - t0 < 1000, 'the kill was answered within a second');
    assert.equal((await Promise.all(long)).length, 2);
    assert.deepEqual((await queries.run('_system', 'RETURN 7', {}, viaPool, root)).result, [7]);
  });
});
