import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';

describe('AQL user functions (/_api/aqlfunction) through arangojs (06-managing-functions)', () => {
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
});
