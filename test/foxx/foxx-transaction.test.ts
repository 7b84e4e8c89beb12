import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

// a service that moves money between two accounts inside db._executeTransaction
const INDEX = `const router = require('@arangodb/foxx/router')();
module.context.use(router);
const { db, query } = require('@arangodb');
const transfer = (from, to, amount, failAfterDebit) => db._executeTransaction({
  collections: { write: ['accounts', 'transfers'], read: ['accounts'] },
  params: { from, to, amount },
  action: (p) => {
    const accounts = db._collection('accounts');
    const a = accounts.document(p.from);
    if (a.balance < p.amount) throw new Error('insufficient funds');
    accounts.update(p.from, { balance: a.balance - p.amount });
    // inside the transaction, reads see its own writes (document API and AQL)
    const seen = db._query('RETURN DOCUMENT("accounts", @k).balance', { k: p.from }).toArray()[0];
    if (failAfterDebit) throw new Error('boom after the debit, seen ' + seen);
    const b = accounts.document(p.to);
    accounts.update(p.to, { balance: b.balance + p.amount });
    db._query('INSERT { from: @from, to: @to, amount: @amount } INTO transfers', p);
    return { seen, nested: db._executeTransaction({ collections: {}, action: () => accounts.document(p.to).balance }) };
  },
});
router.post('/transfer', (req, res) => {
  const { from, to, amount, fail } = req.json();
  try {
    res.json(transfer(from, to, amount, fail === true));
  } catch (e) {
    res.status(409);
    res.json({ message: String(e.message), errorNum: e.errorNum ?? null });
  }
});
router.post('/hold', (req, res) => {
  // holds a transaction with a write to account "a" open for the given time, then commits
  const until = Date.now() + req.json().ms;
  res.json(db._executeTransaction({
    collections: { write: ['accounts'] },
    action: () => {
      db._collection('accounts').update('a', { held: true });
      while (Date.now() < until) query\`FOR i IN 1..2000 RETURN i\`.toArray();
      return 'held';
    },
  }));
});
router.post('/undeclared', (req, res) => {
  try {
    db._executeTransaction({
      collections: { write: ['accounts'] },
      action: () => {
        db._collection('accounts').update('b', { balance: 0 });
        db._collection('transfers').save({ sneaky: true });
      },
    });
    res.json('committed');
  } catch (e) {
    res.status(409);
    res.json({ errorNum: e.errorNum });
  }
});
router.post('/ddl', (req, res) => {
  try {
    db._executeTransaction({ collections: { write: ['accounts'] }, action: () => db._create('made_inside') });
    res.json('created');
  } catch (e) {
    res.status(409);
    res.json({ errorNum: e.errorNum, exists: db._collection('made_inside') !== null });
  }
});
router.get('/string-action', (req, res) => {
  try {
    db._executeTransaction({ collections: {}, action: 'function () { return 1; }' });
    res.json('ran');
  } catch (e) {
    res.status(400);
    res.json({ errorNum: e.errorNum });
  }
});`;

describe('db._executeTransaction in Foxx services', () => {
  const tmp = tempDir('kitsune-foxx-trx-');
  let server: ServerHandle;
  const post = (p: string, body: unknown) => rawRequest(server.endpoint, 'POST', p, JSON.stringify(body), { 'content-type': 'application/json' });
  const balances = async (): Promise<Record<string, unknown>> => {
    const rows = (await (await server.db().query('FOR a IN accounts SORT a._key RETURN [a._key, a.balance]')).all()) as [string, number][];
    return Object.fromEntries(rows);
  };
  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    const db = server.db();
    const accounts = await db.createCollection('accounts');
    await db.createCollection('transfers');
    await accounts.saveAll([{ _key: 'a', balance: 100 }, { _key: 'b', balance: 0 }]);
    const zip = craftZip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify({ main: 'index.js', engines: { arangodb: '^3.0.0' } })) },
      { name: 'index.js', data: Buffer.from(INDEX) },
    ]);
    await db.installService('/bank', new Blob([zip], { type: 'application/zip' }));
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('commits every write of the action together; reads inside see the own writes', async () => {
    const r = await post('/bank/transfer', { from: 'a', to: 'b', amount: 30 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { seen: 70, nested: 30 });
    assert.deepEqual(await balances(), { a: 70, b: 30 });
    assert.equal((await server.db().collection('transfers').count()).count, 1);
  });

  it('rolls back every write when the action throws, also the AQL ones', async () => {
    const r = await post('/bank/transfer', { from: 'a', to: 'b', amount: 20, fail: true });
    assert.equal(r.status, 409, r.text);
    assert.match((r.json as { message: string }).message, /boom after the debit, seen 50/);
    assert.deepEqual(await balances(), { a: 70, b: 30 }, 'the debit was rolled back');
    const refused = await post('/bank/transfer', { from: 'b', to: 'a', amount: 1000 });
    assert.equal(refused.status, 409);
    assert.deepEqual(await balances(), { a: 70, b: 30 });
    assert.equal((await server.db().collection('transfers').count()).count, 1);
  });

  it('isolates an open transaction: clients do not see its writes and conflict on its keys with 1200', async () => {
    const db = server.db();
    const accounts = db.collection('accounts');
    // the client's first write may reach "a" before the service's transaction does: then the
    // service fails with 1200 at once, and the scenario is run again
    let settled = false;
    let held: ReturnType<typeof post> | undefined;
    let conflict: number | undefined;
    let invisible: boolean | undefined;
    for (let attempt = 0; attempt < 5 && (held === undefined || settled); attempt++) {
      settled = false;
      conflict = undefined;
      held = post('/bank/hold', { ms: 8000 }).finally(() => (settled = true));
      // the service's lock on "a" shows as a write-write conflict for a client's stream transaction
      while (conflict === undefined && !settled) {
        const trx = await db.beginTransaction({ write: ['accounts'] });
        try {
          await trx.step(() => accounts.update('a', { client: true }));
          await trx.abort();
        } catch (e) {
          conflict = (e as { errorNum?: number }).errorNum ?? -1;
          await trx.abort();
          invisible = ((await accounts.document('a')) as { held?: boolean }).held === undefined;
        }
      }
      if (settled) {
        const early = await held;
        assert.match(early.text, /1200|conflict/i, `the service transaction ended early (${early.status}): ${early.text}`);
      }
    }
    assert.ok(held !== undefined);
    assert.equal(settled, false, 'the checks ran while the service transaction was open');
    assert.equal(conflict, 1200, 'a client transaction writing the held key fails with 1200');
    assert.equal(invisible, true, 'uncommitted writes are invisible to others');
    const r = await held;
    assert.equal(r.status, 200, r.text);
    const a = (await accounts.document('a')) as { held?: boolean; client?: boolean };
    assert.equal(a.held, true, 'committed at the end of the action');
    assert.equal(a.client, undefined);
  });

  it('refuses writes to a collection the transaction did not declare with 1652, writing nothing', async () => {
    const before = await balances();
    const r = await post('/bank/undeclared', {});
    assert.equal(r.status, 409, r.text);
    assert.equal((r.json as { errorNum: number }).errorNum, 1652);
    assert.deepEqual(await balances(), before);
    assert.equal((await server.db().collection('transfers').count()).count, 1);
  });

  it('refuses DDL inside a transaction with 1653 and creates nothing', async () => {
    const r = await post('/bank/ddl', {});
    assert.equal(r.status, 409, r.text);
    assert.deepEqual(r.json, { errorNum: 1653, exists: false });
  });

  it('refuses a string action (services cannot eval) with 10 and runs nothing', async () => {
    const r = await rawRequest(server.endpoint, 'GET', '/bank/string-action');
    assert.equal(r.status, 400);
    assert.equal((r.json as { errorNum: number }).errorNum, 10);
  });
});
