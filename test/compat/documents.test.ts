import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('document API through arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('creates, reads, replaces, updates and removes a document with increasing revisions', async () => {
    const c = await db.createCollection('crud');
    const meta = await c.save({ _key: 'a', name: 'ann', nested: { x: 1, y: 2 } }, { returnNew: true });
    assert.equal(meta._id, 'crud/a');
    assert.equal(meta.new?.name, 'ann');
    assert.deepEqual(await c.document('a'), { _key: 'a', _id: 'crud/a', _rev: meta._rev, name: 'ann', nested: { x: 1, y: 2 } });
    const upd = await c.update('a', { nested: { y: null, z: 3 }, age: 5 }, { keepNull: false, returnOld: true, returnNew: true });
    assert.deepEqual(upd.new?.nested, { x: 1, z: 3 });
    assert.equal(upd.old?._rev, meta._rev);
    assert.notEqual(upd._rev, meta._rev);
    const noMerge = await c.update('a', { nested: { q: 1 } }, { mergeObjects: false, returnNew: true });
    assert.deepEqual(noMerge.new?.nested, { q: 1 });
    const rep = await c.replace('a', { other: true }, { returnNew: true });
    assert.deepEqual(Object.keys(rep.new ?? {}).sort(), ['_id', '_key', '_rev', 'other']);
    assert.equal(await c.documentExists('a'), true);
    await c.remove('a');
    assert.equal(await c.documentExists('a'), false);
    assert.deepEqual(await failure(() => c.document('a')), [404, 1202]);
    const revs: string[] = [];
    for (let i = 0; i < 5; i++) revs.push((await c.save({ i }))._rev);
    assert.equal(new Set(revs).size, 5);
  });

  it('detects revision conflicts with If-Match (1200) and with ignoreRevs=false', async () => {
    const c = await db.createCollection('revs');
    const m = await c.save({ _key: 'k', v: 1 });
    await c.update('k', { v: 2 });
    assert.deepEqual(await failure(() => c.update('k', { v: 3 }, { ifMatch: m._rev })), [412, 1200]);
    assert.deepEqual(await failure(() => c.replace('k', { _rev: m._rev, v: 3 }, { ignoreRevs: false })), [412, 1200]);
    assert.deepEqual(await failure(() => c.remove('k', { ifMatch: m._rev })), [412, 1200]);
    assert.deepEqual(await failure(() => c.document('k', { ifMatch: m._rev })), [412, 1200]);
    assert.equal((await c.document('k')).v, 2);
  });

  it('honours every overwrite mode', async () => {
    const c = await db.createCollection('over');
    await c.save({ _key: 'o', a: 1, b: { c: 1 } });
    assert.deepEqual(await failure(() => c.save({ _key: 'o', a: 2 })), [409, 1210]);
    await c.save({ _key: 'o', a: 9 }, { overwriteMode: 'ignore' });
    assert.equal((await c.document('o')).a, 1);
    await c.save({ _key: 'o', b: { d: 2 } }, { overwriteMode: 'update' });
    assert.deepEqual(await c.document('o'), { ...(await c.document('o')), a: 1, b: { c: 1, d: 2 } });
    const r = await c.save({ _key: 'o', z: 1 }, { overwriteMode: 'replace', returnOld: true });
    assert.equal(r.old?.a, 1);
    const doc = await c.document('o');
    assert.equal(doc.a, undefined);
    assert.equal(doc.z, 1);
    assert.deepEqual(await failure(() => c.save({ _key: 'o' }, { overwriteMode: 'conflict' })), [409, 1210]);
  });

  it('reports per-document errors in array mode with X-Arango-Error-Codes', async () => {
    const c = await db.createCollection('arr');
    await c.save({ _key: 'dup' });
    const res = await db.route('_api/document/arr').post([{ _key: 'new1' }, { _key: 'dup' }, { _key: 'bad key!' }, 5]);
    assert.equal(res.status, 202);
    const body = res.parsedBody as Array<Record<string, unknown>>;
    assert.equal(body[0]?._key, 'new1');
    assert.equal(body[1]?.errorNum, 1210);
    assert.equal(body[2]?.errorNum, 1221);
    assert.equal(body[3]?.errorNum, 1227);
    assert.deepEqual(JSON.parse(String(res.headers.get('x-arango-error-codes'))), { '1210': 1, '1221': 1, '1227': 1 });
    const many = await c.documents(['new1', 'missing']);
    assert.equal(many[0]?._key, 'new1');
    assert.equal((many[1] as unknown as Record<string, unknown>).errorNum, 1202);
    const removed = await c.removeAll(['new1', 'missing']);
    assert.equal((removed[1] as unknown as Record<string, unknown>).errorNum, 1202);
    assert.equal(await c.documentExists('new1'), false);
  });

  it('enforces unique persistent indexes (1210) and keeps the failed write out', async () => {
    const c = await db.createCollection('uniq');
    const ix = await c.ensureIndex({ type: 'persistent', fields: ['email'], unique: true, name: 'byEmail' });
    assert.equal(ix.isNewlyCreated, true);
    assert.equal((await c.ensureIndex({ type: 'persistent', fields: ['email'], unique: true })).isNewlyCreated, false);
    await c.save({ _key: 'u1', email: 'a@x' });
    assert.deepEqual(await failure(() => c.save({ _key: 'u2', email: 'a@x' })), [409, 1210]);
    assert.equal(await c.documentExists('u2'), false);
    await c.update('u1', { email: 'b@x' });
    await c.save({ _key: 'u3', email: 'a@x' });
    const indexes = await c.indexes();
    assert.deepEqual(indexes.map((i) => i.type), ['primary', 'persistent']);
    await c.dropIndex(ix.id);
    assert.equal((await c.indexes()).length, 1);
    await c.save({ _key: 'u4', email: 'a@x' });
  });

  it('validates keys and document types', async () => {
    const c = await db.createCollection('keys', { keyOptions: { type: 'autoincrement', increment: 5, offset: 10 } });
    const a = await c.save({});
    const b = await c.save({});
    assert.equal(Number(b._key) - Number(a._key), 5);
    assert.deepEqual(await failure(() => c.save({ _key: 'has space' })), [400, 1221]);
    assert.deepEqual(await failure(() => c.save({ _key: 'x'.repeat(300) })), [400, 1221]);
    const strict = await db.createCollection('strictkeys', { keyOptions: { allowUserKeys: false } });
    assert.deepEqual(await failure(() => strict.save({ _key: 'mine' })), [400, 1222]);
    assert.deepEqual(await failure(() => db.collection('nope').save({})), [404, 1203]);
  });

  it('stores edges, lists them by vertex and refuses invalid _from/_to', async () => {
    const e = await db.createEdgeCollection('knows');
    await e.save({ _key: 'e1', _from: 'people/a', _to: 'people/b' });
    await e.save({ _key: 'e2', _from: 'people/b', _to: 'people/a' });
    await e.save({ _key: 'e3', _from: 'people/a', _to: 'people/c' });
    assert.deepEqual((await e.outEdges('people/a')).edges.map((x) => x._key).sort(), ['e1', 'e3']);
    assert.deepEqual((await e.inEdges('people/a')).edges.map((x) => x._key), ['e2']);
    assert.equal((await e.edges('people/a')).edges.length, 3);
    assert.deepEqual(await failure(() => e.save({ _from: 'nohandle', _to: 'people/a' })), [400, 1233]);
    await e.update('e3', { _to: 'people/d' });
    assert.deepEqual((await e.inEdges('people/d')).edges.map((x) => x._key), ['e3']);
  });

  it('imports JSON arrays and JSON lines with onDuplicate, complete and details', async () => {
    const c = await db.createCollection('imp');
    const r1 = await c.import([{ _key: 'i1', v: 1 }, { _key: 'i2', v: 2 }, {}]);
    assert.deepEqual([r1.created, r1.empty, r1.errors], [2, 1, 0]);
    const lines = '{"_key":"i2","v":20}\n{"_key":"i3","v":3}\n';
    const r2 = await c.import(lines, { type: 'documents', onDuplicate: 'update' });
    assert.deepEqual([r2.created, r2.updated], [1, 1]);
    assert.equal((await c.document('i2')).v, 20);
    const r3 = await c.import([{ _key: 'i4' }, { _key: 'i1' }], { onDuplicate: 'error', details: true });
    assert.deepEqual([r3.created, r3.errors], [1, 1]);
    assert.match(String(r3.details?.[0]), /unique constraint/);
    await assert.rejects(c.import([{ _key: 'i5' }, { _key: 'i1' }], { complete: true }));
    assert.equal(await c.documentExists('i5'), false);
    assert.equal(await c.count().then((x) => x.count), 4);
  });

  it('manages collections: properties, count, rename, truncate, drop, excludeSystem', async () => {
    const c = await db.createCollection('coll1', { waitForSync: true });
    assert.equal((await c.properties()).waitForSync, true);
    await c.properties({ waitForSync: false });
    assert.equal((await c.properties()).waitForSync, false);
    await c.save({ _key: 'x' });
    assert.equal((await c.count()).count, 1);
    await c.rename('coll2');
    const c2 = db.collection('coll2');
    assert.equal((await c2.document('x'))._id, 'coll2/x');
    await c2.truncate();
    assert.equal((await c2.count()).count, 0);
    const names = (await db.listCollections()).map((x) => x.name);
    assert.ok(names.includes('coll2') && !names.includes('_users'));
    const all = (await db.listCollections(false)).map((x) => x.name);
    for (const sys of ['_users', '_apps', '_appbundles', '_queues', '_jobs']) assert.ok(all.includes(sys), sys);
    assert.deepEqual(await failure(() => db.createCollection('coll2')), [409, 1207]);
    assert.deepEqual(await failure(() => db.createCollection('bad name')), [400, 1208]);
    await c2.drop();
    assert.equal(await c2.exists(), false);
  });

  it('creates and drops databases, reachable with and without the /_db prefix', async () => {
    await db.createDatabase('shop');
    assert.deepEqual((await db.listDatabases()).sort(), ['_system', 'shop']);
    const shop = db.database('shop');
    const c = await shop.createCollection('items');
    await c.save({ _key: 'i' });
    assert.equal((await shop.get()).name, 'shop');
    assert.deepEqual(await failure(() => db.createDatabase('shop')), [409, 1207]);
    assert.deepEqual(await failure(() => db.database('nodb').collections()), [404, 1228]);
    await db.dropDatabase('shop');
    assert.deepEqual(await db.listDatabases(), ['_system']);
    const plain = await fetch(`${server.endpoint}/_api/version`, { headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}` } });
    assert.equal(((await plain.json()) as { version: string }).version.startsWith('3.12'), true);
    assert.deepEqual(await db.route('_admin/server/role').get().then((r) => (r.parsedBody as { role: string }).role), 'SINGLE');
  });
});
