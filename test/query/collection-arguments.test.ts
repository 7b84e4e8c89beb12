import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('collections as AQL function arguments and header+values imports', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('accepts DOCUMENT(@@coll, key), DOCUMENT(coll, key), LENGTH(coll) and COUNT(coll)', async () => {
    const c = await db.createCollection('args');
    await c.saveAll([{ _key: 'a', v: 1 }, { _key: 'b', v: 2 }]);
    assert.deepEqual(await (await db.query(aql`RETURN DOCUMENT(${c}, 'a').v`)).all(), [1]);
    assert.deepEqual(await (await db.query('RETURN DOCUMENT(args, ["a", "b"])[*].v')).all(), [[1, 2]]);
    assert.deepEqual(await (await db.query(aql`RETURN [LENGTH(${c}), COUNT(${c})]`)).all(), [[2, 2]]);
    assert.deepEqual(await (await db.query('LET args = [1, 2, 3] RETURN LENGTH(args)')).all(), [3]);
  });

  it('imports [[header], [row]…] as sent by collection.import (13-bulk-imports)', async () => {
    const c = await db.createCollection('rows');
    const res = await c.import([['_key', 'name'], ['x', 'ann'], ['y', 'bob']]);
    assert.equal(res.created, 2);
    assert.equal((await c.document('y')).name, 'bob');
  });
});
