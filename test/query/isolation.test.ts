// Queries that cannot hurt the server: heavy read queries run in query worker threads while the
// main thread keeps serving; kill and maxRuntime stop them; memory limits fail only the query.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { startProbe } from '../harness/probe.ts';
import { startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

/** The probe's p99 bound: 50 ms is the target on a calm machine; CI on shared cores gets a margin. */
const P99_MS = Number(process.env['KITSUNE_PROBE_P99_MS'] ?? 150);

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0;
}

describe('heavy queries run off the main thread', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--query.worker-memory-mb', '256', '--query.memory-limit', '0'] });
    db = server.db();
    await db.createCollection('probe');
    await db.collection('probe').save({ _key: 'p', v: 1 });
    // warm up the document path and every query worker, so the probe measures steady state
    for (let i = 0; i < 50; i++) await db.collection('probe').document('p');
    await Promise.all(Array.from({ length: 4 }, () => db.query('RETURN 1').then((c) => c.all())));
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  const heavy = [
    'FOR i IN 1..1e10 FILTER i < 0 RETURN i',
    'RETURN COUNT(FOR i IN 1..1e9 RETURN 1)',
    'FOR i IN 1..1e8 SORT RAND() RETURN i',
    'FOR i IN 1..1e8 COLLECT k = i % 1000003 WITH COUNT INTO n RETURN [k, n]',
    'RETURN SLEEP(60)',
  ];
  for (const query of heavy) {
    it(`keeps serving while \`${query}\` runs, and kills it on request`, async () => {
      const pending = db.query(query).then(
        () => [0, 0],
        (err: { code?: number; errorNum?: number }) => [err.code, err.errorNum],
      );
      let id = '';
      await waitFor(async () => {
        const current = (await db.route('_api/query/current').get()).parsedBody as Array<{ id: string; query: string; state: string }>;
        id = current.find((q) => q.query === query && q.state === 'executing')?.id ?? '';
        return id !== '';
      }, { timeoutMs: 10_000, what: 'the query to be executing' });
      const p = startProbe(db);
      await waitFor(async () => (await db.version()).server === 'arango', { timeoutMs: 5000, what: '/_api/version' });
      await waitFor(() => p.count() >= 60, { timeoutMs: 20_000, what: 'the probe to read 60 times' });
      const latencies = await p.stop();
      assert.ok(p99(latencies) < P99_MS, `probe p99 ${p99(latencies).toFixed(1)} ms`);
      const killedAt = Date.now();
      await db.route(`_api/query/${id}`).delete();
      assert.deepEqual(await pending, [410, 1500]);
      assert.ok(Date.now() - killedAt < 1000, `query stopped ${Date.now() - killedAt} ms after the kill`);
    });
  }

  it('stops a query at maxRuntime wherever it is', async () => {
    const t0 = Date.now();
    assert.deepEqual(await failure(() => db.query('FOR i IN 1..1e8 SORT RAND() RETURN i', {}, { maxRuntime: 0.5 })), [410, 1500]);
    assert.ok(Date.now() - t0 < 3000);
  });

  it('fails a query over memoryLimit with 32 and one past the worker heap with 32, and lives on', async () => {
    assert.deepEqual(await failure(() => db.query('FOR a IN 1..1e5 FOR b IN 1..1e5 RETURN [a, b]', {}, { memoryLimit: 10_000_000 })), [400, 32]);
    assert.deepEqual(await failure(() => db.query('FOR a IN 1..1e5 FOR b IN 1..1e5 RETURN [a, b]')), [400, 32]);
    assert.deepEqual(await (await db.query(aql`RETURN 1 + 1`)).all(), [2]);
    assert.equal((await db.collection('probe').document('p')).v, 1);
  });

  it('runs queries of many clients at once beyond the pool (queued ones are listed)', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, (_, i) => db.query(`RETURN SUM(FOR x IN 1..200000 RETURN x) + ${i}`).then((c) => c.all())));
    assert.deepEqual(all.map((r) => r[0]), [0, 1, 2, 3, 4, 5].map((i) => 20000100000 + i));
  });
});

describe('modification queries under limits', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    await db.createCollection('sink');
    await db.createCollection('probe');
    await db.collection('probe').save({ _key: 'p', v: 1 });
    await db.createCollection('counter');
    await db.collection('counter').save({ _key: 'c', n: 0 });
    await db.createUser('writer', 'pw');
    await db.setUserAccessLevel('writer', { database: '_system' }, 'rw');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('stops an INSERT loop of an rw user at maxRuntime and writes nothing of it', async () => {
    const writer = server.db('_system', { username: 'writer', password: 'pw' });
    const t0 = Date.now();
    assert.deepEqual(await failure(() => writer.query('FOR i IN 1..1e9 INSERT {i} INTO sink', {}, { maxRuntime: 0.5 })), [410, 1500]);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal((await db.collection('sink').count()).count, 0);
    assert.equal((await db.version()).server, 'arango');
  });

  it('answers many queries with large bind values (never cached) and keeps serving', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    for (let i = 0; i < Number(process.env['KITSUNE_BIG_BIND_ROUNDS'] ?? 8); i++) {
      assert.deepEqual(await (await db.query('RETURN LENGTH(@v) + @i', { v: big, i })).all(), [big.length + i]);
    }
    assert.equal((await db.version()).server, 'arango');
  });

  it('keeps serving while a slow INSERT loop of an rw user runs, and a kill writes nothing of it', async () => {
    const writer = server.db('_system', { username: 'writer', password: 'pw' });
    for (let i = 0; i < 20; i++) await db.collection('probe').document('p');
    const query = 'FOR i IN 1..1e6 LET s = SLEEP(0.002) INSERT {i, s} INTO sink';
    const pending = writer.query(query).then(
      () => [0, 0],
      (err: { code?: number; errorNum?: number }) => [err.code, err.errorNum],
    );
    let id = '';
    await waitFor(async () => {
      const current = (await db.route('_api/query/current').get()).parsedBody as Array<{ id: string; query: string; state: string; modificationQuery: boolean }>;
      const listed = current.find((q) => q.query === query && q.state === 'executing');
      // a running query says that it writes, and has no exit code yet
      if (listed) assert.deepEqual([listed.modificationQuery, 'exitCode' in listed], [true, false]);
      id = listed?.id ?? '';
      return id !== '';
    }, { timeoutMs: 10_000, what: 'the INSERT loop to be executing' });
    const p = startProbe(db);
    await waitFor(() => p.count() >= 60, { timeoutMs: 20_000, what: 'the probe to read 60 times' });
    const latencies = await p.stop();
    assert.ok(p99(latencies) < P99_MS, `probe p99 ${p99(latencies).toFixed(1)} ms`);
    // the owner may kill its own query
    await writer.route(`_api/query/${id}`).delete();
    assert.deepEqual(await pending, [410, 1500]);
    assert.equal((await db.collection('sink').count()).count, 0);
  });

  it('fails a busy INSERT loop over memoryLimit with 32, writes nothing of it and lives on', async () => {
    const writer = server.db('_system', { username: 'writer', password: 'pw' });
    assert.deepEqual(await failure(() => writer.query('FOR i IN 1..1e9 INSERT {i, pad: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} INTO sink', {}, { memoryLimit: 20_000_000 })), [400, 32]);
    assert.equal((await db.collection('sink').count()).count, 0);
    assert.equal((await db.collection('probe').document('p')).v, 1);
  });

  it('loses no update when concurrent queries update the same document (first committer wins)', async () => {
    const writer = server.db('_system', { username: 'writer', password: 'pw' });
    const rounds = Number(process.env['KITSUNE_CONFLICT_ROUNDS'] ?? 1);
    for (let round = 0; round < rounds; round++) {
      const before = (await db.collection('counter').document('c')).n as number;
      const outcomes = await Promise.all(Array.from({ length: 8 }, () =>
        writer.query('FOR d IN counter FILTER d._key == "c" UPDATE d WITH {n: d.n + 1} IN counter RETURN NEW.n').then(
          (c) => c.all().then(() => 'ok'),
          (err: { errorNum?: number }) => String(err.errorNum),
        )));
      // each either committed or failed with a conflict (1200) after its re-runs; none was lost
      assert.ok(outcomes.every((o) => o === 'ok' || o === '1200'), outcomes.join(','));
      const ok = outcomes.filter((o) => o === 'ok').length;
      assert.ok(ok >= 1);
      assert.equal((await db.collection('counter').document('c')).n, before + ok);
    }
  });

  it('lets one of two concurrent queries take a unique key, the other fails with a conflict', async () => {
    const writer = server.db('_system', { username: 'writer', password: 'pw' });
    const outcomes = await Promise.all([1, 2].map((v) =>
      writer.query(`INSERT {_key: "only", v: ${v}} INTO counter`).then(() => 'ok', (err: { errorNum?: number }) => String(err.errorNum))));
    assert.equal(outcomes.filter((o) => o === 'ok').length, 1, outcomes.join(','));
    assert.ok(outcomes.some((o) => o === '1210' || o === '1200'), outcomes.join(','));
    const doc = await db.collection('counter').document('only');
    assert.ok(doc.v === 1 || doc.v === 2);
  });
});
