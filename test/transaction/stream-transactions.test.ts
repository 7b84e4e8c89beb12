import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

describe('stream transactions through arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--transaction.streaming-idle-timeout', '5'] });
    db = server.db();
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('begins, reports status, lists, commits and aborts (arangojs 04-transactions)', async () => {
    const c = await db.createCollection('basics');
    const trx = await db.beginTransaction({ write: c });
    assert.equal((await trx.get()).status, 'running');
    assert.ok((await db.listTransactions()).some((t) => t.id === trx.id));
    assert.equal((await db.transactions()).length >= 1, true);
    await trx.step(() => c.save({ _key: 'one' }));
    assert.equal((await trx.commit()).status, 'committed');
    assert.equal(await c.documentExists('one'), true);
    const t2 = await db.beginTransaction({ write: [c] });
    await t2.step(() => c.save({ _key: 'two' }));
    assert.equal((await t2.abort()).status, 'aborted');
    assert.equal(await c.documentExists('two'), false);
    assert.deepEqual(await failure(() => db.transaction('123456').get()), [404, 1655]);
    assert.deepEqual(await failure(() => db.transaction('987654').commit()), [404, 1655]);
  });

  it('reads its own writes; other clients never see uncommitted writes', async () => {
    const c = await db.createCollection('isolation');
    await c.save({ _key: 'base', v: 0 });
    const trx = await db.beginTransaction({ write: c });
    await trx.step(() => c.save({ _key: 'new', v: 1 }));
    await trx.step(() => c.update('base', { v: 1 }));
    assert.equal((await trx.step(() => c.document('new'))).v, 1);
    assert.equal((await trx.step(() => c.document('base'))).v, 1);
    const inside = await trx.step(() => db.query(aql`FOR d IN ${c} SORT d._key RETURN [d._key, d.v]`));
    assert.deepEqual(await inside.all(), [['base', 1], ['new', 1]]);
    const countInside = await trx.step(() => db.query(aql`RETURN LENGTH(FOR d IN ${c} RETURN 1)`));
    assert.deepEqual(await countInside.all(), [2]);
    assert.equal((await trx.step(() => c.count())).count, 2);
    assert.equal((await c.count()).count, 1);
    // outside: nothing of it
    assert.equal(await c.documentExists('new'), false);
    assert.equal((await c.document('base')).v, 0);
    assert.deepEqual(await (await db.query(aql`FOR d IN ${c} RETURN d._key`)).all(), ['base']);
    await trx.commit();
    assert.equal((await c.document('base')).v, 1);
    assert.equal((await c.count()).count, 2);
  });

  it('reads a snapshot: writes committed by others after begin stay invisible inside', async () => {
    const c = await db.createCollection('snapshot');
    await c.save({ _key: 'a', v: 1 });
    const trx = await db.beginTransaction({ read: c });
    await c.update('a', { v: 2 });
    await c.save({ _key: 'b' });
    assert.equal((await trx.step(() => c.document('a'))).v, 1);
    assert.deepEqual(await failure(() => trx.step(() => c.document('b'))), [404, 1202]);
    await trx.abort();
  });

  it('fails the second of two writers on the same document with 1200, and keeps the first', async () => {
    const c = await db.createCollection('conflicts');
    await c.save({ _key: 'doc', v: 0 });
    const t1 = await db.beginTransaction({ write: c });
    const t2 = await db.beginTransaction({ write: c });
    await t1.step(() => c.update('doc', { v: 1 }));
    assert.deepEqual(await failure(() => t2.step(() => c.update('doc', { v: 2 }))), [409, 1200]);
    await t1.commit();
    await t2.abort();
    assert.equal((await c.document('doc')).v, 1);
    // a writer whose snapshot is older than a committed change also conflicts (snapshot isolation)
    const t3 = await db.beginTransaction({ write: c });
    await c.update('doc', { v: 3 });
    assert.deepEqual(await failure(() => t3.step(() => c.update('doc', { v: 4 }))), [409, 1200]);
    await t3.abort();
    assert.equal((await c.document('doc')).v, 3);
  });

  it('fails the commit with 1200 when a plain write changed a key the transaction wrote, and writes nothing', async () => {
    const c = await db.createCollection('late');
    await c.save({ _key: 'x', v: 0 });
    const trx = await db.beginTransaction({ write: c });
    await trx.step(() => c.save({ _key: 'y' }));
    await trx.step(() => c.update('x', { v: 1 }));
    await c.update('x', { v: 2 });
    assert.deepEqual(await failure(() => trx.commit()), [409, 1200]);
    assert.equal(await c.documentExists('y'), false);
    assert.equal((await c.document('x')).v, 2);
  });

  it('refuses writes to undeclared collections (1652) and reads with allowImplicit false', async () => {
    const a = await db.createCollection('declared');
    const b = await db.createCollection('undeclared');
    const trx = await db.beginTransaction({ write: a }, { allowImplicit: false });
    assert.deepEqual(await failure(() => trx.step(() => b.save({}))), [400, 1652]);
    assert.deepEqual(await failure(() => trx.step(() => b.document('nope'))), [400, 1652]);
    await trx.abort();
    assert.deepEqual(await failure(() => db.beginTransaction({ write: 'missing_collection' })), [404, 1203]);
  });

  it('runs AQL writes and imports inside; a failing query leaves the transaction as it was', async () => {
    const c = await db.createCollection('aqltrx');
    const trx = await db.beginTransaction({ write: c });
    await trx.step(() => db.query(aql`FOR i IN 1..5 INSERT { _key: TO_STRING(i), i } INTO ${c}`));
    await trx.step(() => c.import([{ _key: 'imp1' }, { _key: 'imp2' }]));
    await assert.rejects(trx.step(() => db.query(aql`FOR i IN 6..8 INSERT { _key: i == 8 ? "1" : TO_STRING(i) } INTO ${c}`)));
    const rows = await trx.step(() => db.query(aql`FOR d IN ${c} SORT d._key RETURN d._key`));
    assert.deepEqual(await rows.all(), ['1', '2', '3', '4', '5', 'imp1', 'imp2']);
    assert.equal((await c.count()).count, 0);
    await trx.commit();
    assert.equal((await c.count()).count, 7);
  });

  it('stops a long query inside a transaction at --query.main-thread-max-runtime, rolls back its writes and keeps serving (attack: hold the main thread)', { timeout: 60_000 }, async () => {
    const c = await db.createCollection('trx_long');
    const trx = await db.beginTransaction({ write: c });
    await trx.step(() => c.save({ _key: 'before' }));
    const started = Date.now();
    const endless = failure(() => trx.step(() => db.query(aql`FOR i IN 1..10000000000 INSERT { i } INTO ${c} FILTER i < 0 RETURN i`)));
    // the server answers other clients again soon after the limit, not after the query
    await db.version();
    assert.ok(Date.now() - started < 10_000, `the server answered after ${Date.now() - started} ms`);
    assert.deepEqual(await endless, [410, 1500]);
    assert.ok(Date.now() - started < 10_000, 'the query stopped at its limit');
    const read = await failure(() => trx.step(() => db.query('FOR i IN 1..10000000000 FILTER i < 0 RETURN i')));
    assert.deepEqual(read, [410, 1500]);
    // the transaction lives on without the query's writes; a short query still runs inside it
    assert.deepEqual(await (await trx.step(() => db.query(aql`RETURN LENGTH(${c})`))).all(), [1]);
    await trx.commit();
    assert.equal((await c.count()).count, 1);
    const msg = await trx.step(() => db.query('RETURN 1')).then(() => '', (e: Error) => e.message);
    assert.ok(msg !== '', 'a committed transaction takes no more queries');
  });

  it('belongs to the user who began it: another user can neither see, join, commit nor abort it (1655)', async () => {
    await db.createUser('trx_alice', 'a');
    await db.createUser('trx_bob', 'b');
    for (const u of ['trx_alice', 'trx_bob']) await db.setUserAccessLevel(u, { database: '_system' }, 'rw');
    await db.createCollection('trx_owned');
    const alice = server.db('_system', { username: 'trx_alice', password: 'a' });
    const bob = server.db('_system', { username: 'trx_bob', password: 'b' });
    const mine = await alice.beginTransaction({ write: 'trx_owned' });
    await mine.step(() => alice.collection('trx_owned').save({ _key: 'a1' }));
    const stolen = bob.transaction(mine.id);
    assert.deepEqual(await failure(() => stolen.get()), [404, 1655]);
    assert.deepEqual(await failure(() => stolen.step(() => bob.collection('trx_owned').save({ _key: 'b1' }))), [404, 1655]);
    assert.deepEqual(await failure(() => stolen.step(() => bob.query('FOR d IN trx_owned RETURN d'))), [404, 1655]);
    assert.deepEqual(await failure(() => stolen.abort()), [404, 1655]);
    assert.deepEqual(await failure(() => stolen.commit()), [404, 1655]);
    assert.ok(!(await bob.listTransactions()).some((t) => t.id === mine.id), 'not listed for another user');
    assert.ok((await alice.listTransactions()).some((t) => t.id === mine.id), 'listed for its owner');
    assert.equal((await mine.commit()).status, 'committed');
    assert.deepEqual(await failure(() => stolen.get()), [404, 1655], 'nor its status afterwards');
    assert.deepEqual((await (await db.query('FOR d IN trx_owned RETURN d._key')).all()), ['a1']);
  });

  it('aborts an idle transaction after the idle timeout and discards its writes', async () => {
    const c = await db.createCollection('idle');
    const trx = await db.beginTransaction({ write: c });
    await trx.step(() => c.save({ _key: 'gone' }));
    // the suite's server aborts after 5 s idle (long enough that a busy machine's pauses between
    // the other tests' steps do not expire their transactions)
    await waitFor(async () => (await trx.get()).status === 'aborted', {
      timeoutMs: 30_000,
      what: 'the idle transaction to expire',
    });
    assert.deepEqual(await failure(() => trx.step(() => c.save({ _key: 'later' }))), [404, 1655]);
    assert.equal(await c.documentExists('gone'), false);
  });

  it('shows a concurrent reader either none or all of a committing transaction', async () => {
    const c = await db.createCollection('atomic');
    const rounds = Number(process.env['KITSUNE_TRX_ROUNDS'] ?? 1);
    for (let r = 0; r < rounds; r++) {
      const trx = await db.beginTransaction({ write: c });
      await trx.step(() => c.saveAll(Array.from({ length: 50 }, (_, i) => ({ round: r, i }))));
      let stop = false;
      const seen: number[] = [];
      const reader = (async () => {
        while (!stop) {
          const cur = await db.query(aql`FOR d IN ${c} FILTER d.round == ${r} COLLECT WITH COUNT INTO n RETURN n`);
          seen.push((await cur.all())[0] as number);
        }
      })();
      await trx.commit();
      stop = true;
      await reader;
      assert.ok(seen.every((n) => n === 0 || n === 50), `reader saw a partial transaction: ${seen.join(',')}`);
      const after = await (await db.query(aql`FOR d IN ${c} FILTER d.round == ${r} COLLECT WITH COUNT INTO n RETURN n`)).all();
      assert.deepEqual(after, [50]);
    }
  });
});

describe('stream transactions and crashes', () => {
  it('keeps a committed transaction and nothing of an open one after SIGKILL', async (t) => {
    const tmp = tempDir();
    let server = await startServer({ dataDir: tmp.dir });
    t.after(async () => {
      await server.stop();
      tmp.cleanup();
    });
    let db = server.db();
    const c = await db.createCollection('crash');
    const done = await db.beginTransaction({ write: c });
    await done.step(() => c.saveAll([{ _key: 'c1' }, { _key: 'c2' }]));
    await done.commit();
    const open = await db.beginTransaction({ write: c });
    await open.step(() => c.saveAll([{ _key: 'o1' }, { _key: 'o2' }]));
    await open.step(() => c.remove('c1'));
    await server.kill();
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    const keys = await (await db.query(aql`FOR d IN crash SORT d._key RETURN d._key`)).all();
    assert.deepEqual(keys, ['c1', 'c2']);
    assert.deepEqual(await failure(() => db.transaction(open.id).get()), [404, 1655]);
  });
});
