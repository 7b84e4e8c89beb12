import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('JavaScript transactions (POST /_api/transaction) through arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({ args: ['--javascript.transaction-timeout', '3000'] }, (s) => {
    server = s;
    db = s.db();
  });

  it('runs the action with params and the declared collections, and commits its writes', async () => {
    const c = await db.createCollection('jstrx');
    const result = await db.executeTransaction(
      { write: ['jstrx'] },
      String(function (params: { n: number }) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { db: d, aql } = require('@arangodb');
        for (let i = 0; i < params.n; i++) d.jstrx.save({ _key: `k${i}`, i });
        d._collection('jstrx').update('k0', { changed: true });
        return { count: d.jstrx.count(), rows: d._query(aql`FOR x IN jstrx FILTER x.i >= ${1} SORT x.i RETURN x.i`).toArray() };
      }),
      { params: { n: 3 } },
    );
    assert.deepEqual(result, { count: 3, rows: [1, 2] });
    assert.equal((await c.count()).count, 3);
    assert.equal((await c.document('k0')).changed, true);
  });

  it('rolls back everything when the action throws, keeping the database error number', async () => {
    const c = await db.createCollection('jsfail');
    await c.save({ _key: 'dup' });
    const action = String(function () {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const d = require('@arangodb').db;
      d.jsfail.save({ _key: 'fresh' });
      d.jsfail.save({ _key: 'dup' });
    });
    assert.deepEqual(await failure(() => db.executeTransaction({ write: 'jsfail' }, action)), [409, 1210]);
    assert.equal(await c.documentExists('fresh'), false);
    const thrower = String(function () {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@arangodb').db.jsfail.save({ _key: 'x' });
      throw new Error('nope');
    });
    assert.deepEqual(await failure(() => db.executeTransaction({ write: 'jsfail' }, thrower)), [500, 1650]);
    assert.equal(await c.documentExists('x'), false);
    assert.deepEqual(await failure(() => db.executeTransaction({ read: 'jsfail' }, 'function () { return typeof process + typeof require("fs"); }')), [500, 1650]);
  });

  it('gives the action no way out of its sandbox (attack: reach the host\'s Function through constructors)', async () => {
    await db.createCollection('jsescape');
    const escapes = [
      'function () { return this.constructor.constructor("return process")().pid; }',
      'function () { return globalThis.constructor.constructor("return process")().pid; }',
      'function () { return require.constructor("return process")().pid; }',
      'function () { const d = require("@arangodb").db; return d._collection.constructor("return process")().pid; }',
      'function () { try { require("@arangodb").db.jsescape.document("missing"); } catch (e) { return e.constructor.constructor("return process")().pid; } }',
      'function () { return Object.getPrototypeOf(function* () {}).constructor("return process")().next().value.pid; }',
    ];
    for (const action of escapes) {
      const [status, errorNum] = await failure(() => db.executeTransaction({ read: 'jsescape' }, action));
      assert.equal(status, 500, action);
      assert.equal(errorNum, 1650, action);
    }
    assert.deepEqual(await db.executeTransaction({ read: 'jsescape' }, 'function () { return typeof this.constructor + ":" + typeof globalThis.process; }'), 'function:undefined', 'the sandbox\'s own Object, whose Function compiles nothing');
  });

  it('stops an action that keeps queueing promises, and keeps serving', { timeout: 60_000 }, async () => {
    await db.createCollection('jsticks');
    const action = 'function () { const again = () => Promise.resolve().then(again); again(); return 1; }';
    assert.deepEqual(await failure(() => db.executeTransaction({ read: 'jsticks' }, action)), [500, 1650]);
    assert.equal((await db.version()).server, 'arango');
  });
});
