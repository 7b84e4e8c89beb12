import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { arangoFailure, failure } from '../harness/arango-failure.ts';
import { rawRequest, suiteServer, type ServerHandle } from '../harness/server.ts';

/** The action time limit of this suite's server (`--javascript.transaction-timeout`). */
const LIMIT_MS = 3000;

describe('JavaScript transactions run off the main thread: an action hurts only itself', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({ args: ['--javascript.transaction-timeout', String(LIMIT_MS), '--foxx.max-memory', '128'] }, (s) => {
    server = s;
    db = s.db();
  });
  // the first action builds the process program and starts a process (seconds on a loaded CI
  // machine): done here, so the timings below measure the action limit, not a cold start
  before(async () => {
    assert.equal(await db.executeTransaction({ read: [] }, 'function () { return 1; }'), 1);
  });

  /** Milliseconds `GET /_api/version` takes. */
  const versionMs = async (): Promise<number> => {
    const t0 = performance.now();
    const r = await rawRequest(server.endpoint, 'GET', '/_api/version');
    assert.equal(r.status, 200);
    return performance.now() - t0;
  };

  /** The stream transactions clients see in `_system` (an action's own is not one of them). */
  const listed = async (): Promise<number> => ((await rawRequest(server.endpoint, 'GET', '/_api/transaction')).json as { transactions: unknown[] }).transactions.length;

  /** Starts `action` and checks, until it ends, that the server answers at once and other transactions work. */
  const whileRunning = async (action: string, collection: string): Promise<{ status: number | undefined; errorNum: number; message: string; ms: number }> => {
    const t0 = Date.now();
    let settled = false;
    const pending = arangoFailure(() => db.executeTransaction({ write: [collection] }, action)).finally(() => (settled = true));
    // another JavaScript transaction gets a process of its own and commits meanwhile
    const other = await db.executeTransaction({ write: [collection] }, 'function (p) { return require("@arangodb").db._collection(p.c).save({ other: true })._key; }', { params: { c: collection } });
    assert.equal(typeof other, 'string');
    assert.equal(settled, false, 'the other transaction did not wait for this one');
    let probes = 0;
    for (; !settled; probes++) {
      const ms = await versionMs();
      assert.ok(ms < 500, `the main thread keeps answering (${ms} ms)`);
      assert.equal(await listed(), 0, 'clients cannot see (join, commit, abort) the action\'s transaction');
    }
    assert.ok(probes > 3);
    const e = await pending;
    return { status: e.code, errorNum: e.errorNum, message: e.message, ms: Date.now() - t0 };
  };

  it('stops an action that loops forever within its limit, and nothing else waits for it', { timeout: 60_000 }, async () => {
    const c = await db.createCollection('jsloop');
    const r = await whileRunning('function () { require("@arangodb").db.jsloop.save({ _key: "mine" }); for (;;) {} }', 'jsloop');
    assert.deepEqual([r.status, r.errorNum], [500, 1650], r.message);
    assert.ok(r.ms < LIMIT_MS + 2000, `ended after ${r.ms} ms`);
    assert.equal(await c.documentExists('mine'), false, 'its write is rolled back');
    assert.equal((await c.count()).count, 1, 'the other transaction committed');
    assert.equal(await db.executeTransaction({ read: ['jsloop'] }, 'function () { return 42; }'), 42, 'the next action runs');
  });

  it('stops an action that floods its microtask queue the same way', { timeout: 60_000 }, async () => {
    await db.createCollection('jsflood');
    const r = await whileRunning('function () { const again = () => Promise.resolve().then(again); again(); return 1; }', 'jsflood');
    assert.deepEqual([r.status, r.errorNum], [500, 1650], r.message);
    assert.ok(r.ms < LIMIT_MS + 2000, `ended after ${r.ms} ms`);
  });

  it('kills an action that eats its memory, rolls it back, and replaces its process', { timeout: 60_000 }, async () => {
    const c = await db.createCollection('jsmem');
    const bomb = 'function () { require("@arangodb").db.jsmem.save({ _key: "before" }); const a = []; for (;;) a.push("x".repeat(1 << 20) + a.length); }';
    const e = await arangoFailure(() => db.executeTransaction({ write: ['jsmem'] }, bomb));
    assert.deepEqual([e.code, e.errorNum], [500, 1650], e.message);
    assert.match(e.message, /memory/);
    assert.equal(await c.documentExists('before'), false);
    assert.deepEqual(await db.executeTransaction({ write: ['jsmem'] }, 'function () { return require("@arangodb").db.jsmem.save({ _key: "after" })._key; }'), 'after');
  });

  it('gives every action a fresh realm: nothing one action changes reaches the next (another user\'s)', async () => {
    const c = await db.createCollection('jsrealm');
    const poison = `function () {
      const { db } = require('@arangodb');
      globalThis.stash = 'secret';
      Object.prototype.polluted = 1;
      Array.prototype.push = null;
      JSON.parse = () => ({ ok: true, value: 'forged' });
      Object.getPrototypeOf(db.jsrealm).save = function () { return 'hijacked'; };
      Object.getPrototypeOf(db._query('RETURN 1')).toArray = function () { return ['hijacked']; };
      return 'done';
    }`;
    for (let i = 0; i < 3; i++) assert.equal(await db.executeTransaction({ write: ['jsrealm'] }, poison), 'done');
    const probe = `function () {
      const { db } = require('@arangodb');
      return [typeof globalThis.stash, typeof ({}).polluted, typeof [].push, db.jsrealm.save({ _key: 'real' })._key, db._query('RETURN 2').toArray()];
    }`;
    assert.deepEqual(await db.executeTransaction({ write: ['jsrealm'] }, probe), ['undefined', 'undefined', 'function', 'real', [2]]);
    assert.equal((await c.count()).count, 1);
  });

  it('has the @arangodb module services have, inside the one transaction', async () => {
    const c = await db.createCollection('jsmod');
    const action = `function (p) {
      const { db, aql, errors } = require('@arangodb');
      const out = [db._collection('nope'), typeof errors.ERROR_ARANGO_CONFLICT.code];
      // a nested transaction is part of this one
      db._executeTransaction({ collections: { write: ['jsmod'] }, action: function () { db.jsmod.save({ _key: 'nested' }); } });
      db._query(aql\`FOR i IN 1..\${p.n} INSERT { _key: CONCAT('q', i) } INTO jsmod\`);
      out.push(db.jsmod.count(), db.jsmod.exists('nested') !== false, db._query(aql\`FOR x IN \${db.jsmod} SORT x._key RETURN x._key\`).toArray());
      try {
        db._create('jsmod_ddl');
      } catch (e) {
        out.push(e.errorNum);
      }
      return out;
    }`;
    assert.deepEqual(await db.executeTransaction({ write: ['jsmod'] }, action, { params: { n: 2 } }), [null, 'number', 3, true, ['nested', 'q1', 'q2'], 1653]);
    assert.equal((await c.count()).count, 3);
    // the same writes, then a throw: none of them stays
    const failing = action.replace('return out;', 'throw new Error("no");');
    await c.truncate();
    assert.deepEqual(await failure(() => db.executeTransaction({ write: ['jsmod'] }, failing, { params: { n: 2 } })), [500, 1650]);
    assert.equal((await c.count()).count, 0);
  });
});
