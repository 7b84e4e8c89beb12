import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { StorageEngine, catalog, type LogEntry } from '../../src/storage/index.ts';
import { tempDir } from '../harness/server.ts';

const log = pino({ level: 'silent' });
const retention = { maxAgeSeconds: 3600, maxEntries: 1_000_000 };

describe('operation log', () => {
  it('records a scripted set of changes in order with strictly increasing ticks that continue after a restart', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    let engine = await StorageEngine.open({ dataDir: tmp.dir, retention }, log);
    await catalog.bootstrap(engine);
    const start = engine.oplog.lastTick();
    await catalog.createDatabase(engine, 'shop');
    const c = await catalog.createCollection(engine, 'shop', 'items');
    await engine.write((tx) => c.insert(tx, { _key: 'a', v: 1 }));
    await engine.write((tx) => c.update(tx, 'a', { v: 2 }));
    await engine.write((tx) => c.replace(tx, 'a', { w: 3 }));
    const ix = await catalog.createIndex(engine, 'shop', 'items', { type: 'persistent', fields: ['w'] });
    await engine.write((tx) => c.remove(tx, 'a'));
    await catalog.truncateCollection(engine, 'shop', 'items');
    await catalog.changeCollectionProperties(engine, 'shop', 'items', { waitForSync: true });
    await catalog.renameCollection(engine, 'shop', 'items', 'goods');
    await catalog.dropIndex(engine, 'shop', 'goods', ix.index.id);
    await catalog.dropCollection(engine, 'shop', 'goods');
    await catalog.dropDatabase(engine, 'shop');
    const entries = engine.oplog.read(start, 1000);
    const shape = (e: LogEntry): string => `${e.type}:${e.collection ?? ''}:${e.op ?? ''}:${e.key ?? ''}`;
    const userEntries = entries.filter((e) => !(e.type === 2000 && e.collection?.startsWith('_')));
    assert.deepEqual(userEntries.map(shape), [
      '1100:::',
      '2000:items::',
      '2300:items:insert:a',
      '2300:items:update:a',
      '2300:items:replace:a',
      '2100:items::',
      '2302:items::a',
      '2004:items::',
      '2003:items::',
      '2002:items::',
      '2101:goods::',
      '2001:goods::',
      '1101:::',
    ]);
    for (let i = 1; i < entries.length; i++) assert.ok((entries[i]?.tick ?? 0) > (entries[i - 1]?.tick ?? 0), 'ticks strictly increase');
    const inserted = entries.find((e) => e.op === 'insert');
    assert.deepEqual(JSON.parse(Buffer.from(inserted?.doc ?? []).toString()).v, 1);
    const last = engine.oplog.lastTick();
    await engine.close();
    engine = await StorageEngine.open({ dataDir: tmp.dir, retention }, log);
    await catalog.createDatabase(engine, 'again');
    const after = engine.oplog.read(last, 10);
    assert.ok(after.length > 0 && (after[0]?.tick ?? 0) > last, 'ticks continue after restart');
    await engine.close();
  });

  it('prunes by retention but never past a registered reader', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const engine = await StorageEngine.open({ dataDir: tmp.dir, retention }, log);
    await catalog.bootstrap(engine);
    const c = await catalog.createCollection(engine, '_system', 'p');
    for (let i = 0; i < 20; i++) await engine.write((tx) => c.insert(tx, { i }));
    const all = engine.oplog.read(0, 1000);
    const readerTick = all[5]?.tick ?? 0;
    await engine.oplog.setReader('follower-1', readerTick);
    await engine.oplog.prune({ maxAgeSeconds: 3600, maxEntries: 3 });
    assert.equal(engine.oplog.firstTick(), all[6]?.tick, 'entries after the reader tick are kept');
    await engine.oplog.removeReader('follower-1');
    await engine.oplog.prune({ maxAgeSeconds: 3600, maxEntries: 3 });
    assert.equal(engine.oplog.size(), 3);
    await engine.close();
  });
});
