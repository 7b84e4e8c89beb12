import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('AQL user functions (/_api/aqlfunction) through arangojs (06-managing-functions)', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('registers, lists, calls, replaces and removes functions', async () => {
    const created = await db.createUserFunction('myfns::double', '(x) => x * 2', true);
    assert.equal(created.isNewlyCreated, true);
    assert.deepEqual(await (await db.query(aql`RETURN MYFNS::DOUBLE(21)`)).all(), [42]);
    assert.deepEqual(await (await db.query('FOR i IN 1..3 RETURN myfns::double(i)')).all(), [2, 4, 6]);
    const again = await db.createUserFunction('myfns::double', 'function (x) { return x * 3; }');
    assert.equal(again.isNewlyCreated, false);
    assert.deepEqual(await (await db.query('RETURN myfns::double(2)')).all(), [6]);
    await db.createUserFunction('myfns::obj', '(a, b) => ({ sum: a + b, list: [a, b] })');
    assert.deepEqual(await (await db.query('RETURN myfns::obj(1, 2)')).all(), [{ sum: 3, list: [1, 2] }]);
    const list = await db.listUserFunctions();
    assert.deepEqual(list.map((f) => f.name).sort(), ['myfns::double', 'myfns::obj']);
    assert.equal(list.find((f) => f.name === 'myfns::double')?.isDeterministic, false);
    const removed = await db.dropUserFunction('myfns', true);
    assert.equal(removed.deletedCount, 2);
    assert.deepEqual(await db.listUserFunctions(), []);
    assert.deepEqual(await failure(() => db.query('RETURN myfns::double(1)')), [404, 1582]);
  });

  it('refuses bad names and code, reports runtime errors, and stops endless loops', async () => {
    assert.deepEqual(await failure(() => db.createUserFunction('nonamespace', '(x) => x')), [400, 1580]);
    assert.deepEqual(await failure(() => db.createUserFunction('bad::code', 'this is not js')), [400, 1581]);
    await db.createUserFunction('bad::throws', '() => { throw new Error("boom"); }');
    assert.deepEqual(await failure(() => db.query('RETURN bad::throws()')), [500, 1583]);
    await db.createUserFunction('bad::sandbox', '() => typeof require + typeof process');
    assert.deepEqual(await (await db.query('RETURN bad::sandbox()')).all(), ['undefinedundefined']);
    await db.createUserFunction('bad::loop', '() => { for (;;) {} }');
    const started = Date.now();
    assert.deepEqual(await failure(() => db.query('RETURN bad::loop()')), [500, 1583]);
    assert.ok(Date.now() - started < 30_000);
    assert.equal((await db.version()).server, 'arango');
  });

  it('runs in read queries (query workers), modification queries and stream transactions alike', async () => {
    await db.createUserFunction('where::tag', '(x) => "v1:" + x', true);
    const col = await db.createCollection('uf_docs');
    const read = 'FOR i IN 1..2 RETURN where::tag(i)';
    assert.deepEqual(await (await db.query(read)).all(), ['v1:1', 'v1:2']);
    // a replaced function is seen by the very same query text (no stale plan in a worker)
    await db.createUserFunction('where::tag', '(x) => "v2:" + x', true);
    assert.deepEqual(await (await db.query(read)).all(), ['v2:1', 'v2:2']);
    await db.query(aql`FOR i IN 1..3 INSERT { _key: TO_STRING(i), t: where::tag(i) } INTO ${col}`);
    assert.deepEqual(await (await db.query(aql`FOR d IN ${col} SORT d._key RETURN d.t`)).all(), ['v2:1', 'v2:2', 'v2:3']);
    const trx = await db.beginTransaction({ write: [col] });
    const inside = await trx.step(() => db.query(aql`FOR d IN ${col} FILTER d._key == "1" UPDATE d WITH { t: where::tag("x") } IN ${col} RETURN NEW.t`));
    assert.deepEqual(await inside.all(), ['v2:x']);
    await trx.commit();
    assert.equal((await col.document('1')).t, 'v2:x');
  });

  it('a looping function in one query leaves the server serving others', async () => {
    await db.createUserFunction('slow::spin', '() => { for (;;) {} }');
    const spinning = failure(() => db.query('RETURN slow::spin()'));
    const t0 = Date.now();
    assert.deepEqual(await (await db.query('RETURN 1 + 1')).all(), [2]);
    assert.equal((await db.version()).server, 'arango');
    assert.ok(Date.now() - t0 < 3000, 'another query answered while the function loops');
    assert.deepEqual(await spinning, [500, 1583]);
  });

  it('a function that keeps queueing promises is stopped by its time limit, in a worker and in a stream transaction', { timeout: 60_000 }, async () => {
    await db.createUserFunction('slow::ticks', '() => { const again = () => Promise.resolve().then(again); again(); return 1; }');
    const col = await db.createCollection('uf_ticks');
    assert.deepEqual(await failure(() => db.query('RETURN slow::ticks()')), [500, 1583]);
    assert.equal((await db.version()).server, 'arango');
    const trx = await db.beginTransaction({ write: [col] });
    assert.deepEqual(await failure(() => trx.step(() => db.query(aql`INSERT { v: slow::ticks() } INTO ${col}`))), [500, 1583]);
    await trx.abort();
    assert.equal((await db.version()).server, 'arango', 'the main thread answers again');
    assert.equal(await col.count().then((c) => c.count), 0);
  });
});
