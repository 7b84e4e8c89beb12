import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { EntryApplier, ReplicationState, decodeEntry, encodeEntry } from '../../src/replication/index.ts';
import { collectTail, completeUnits, type TailChunk } from '../../src/replication/tail-units.ts';
import { StorageEngine, catalog, type Collection, type LogEntry } from '../../src/storage/index.ts';
import { decodeLogEntry, encodeLogEntry } from '../../src/storage/log-entry-codec.ts';
import { tempDir } from '../harness/server.ts';

const log = pino({ level: 'silent' });
const retention = { maxAgeSeconds: 3600, maxEntries: 10_000_000 };
const N = 30_000;

/** Tails `engine` from `from` like a follower does: answer after answer until one comes back empty. */
function tailAll(engine: StorageEngine, from: number, chunkBytes: number, ship: (e: LogEntry) => boolean = () => true): TailChunk[] {
  const answers: TailChunk[] = [];
  for (let at = from; ; ) {
    const a = collectTail(engine.oplog.iterate(at, engine.durableTick), { chunkBytes, maxEntries: 20_000, ship });
    if (a.lines.length === 0) return answers;
    answers.push(a);
    at = Math.max(a.lastIncluded, a.lastScanned);
  }
}

const ticksOf = (a: TailChunk): number[] => a.lines.map((l) => decodeEntry(l).tick);

describe('write transactions reach followers whole', () => {
  const tmp = tempDir();
  const tmp2 = tempDir();
  let engine: StorageEngine;
  let items: Collection;
  let other: Collection;
  before(async () => {
    engine = await StorageEngine.open({ dataDir: tmp.dir, retention }, log);
    await catalog.bootstrap(engine);
    await catalog.createDatabase(engine, 'shop');
    await catalog.createDatabase(engine, 'other');
    items = await catalog.createCollection(engine, 'shop', 'items');
    other = await catalog.createCollection(engine, 'other', 'o');
  });
  after(async () => {
    await engine?.close();
    tmp.cleanup();
    tmp2.cleanup();
  });

  it('marks every entry of a transaction but the last; group-committed writes stay separate units; a rolled-back one leaves nothing', async () => {
    const start = engine.oplog.lastTick();
    await Promise.all([1, 2, 3].map((i) => engine.write((tx) => items.insert(tx, { _key: `g${i}` }))));
    await engine.write((tx) => ['m1', 'm2', 'm3'].map((k) => items.insert(tx, { _key: k })));
    await assert.rejects(
      engine.writeAtomic((tx) => {
        items.insert(tx, { _key: 'gone1' });
        items.insert(tx, { _key: 'gone2' });
        throw new Error('abort');
      }),
    );
    await engine.writeAtomic((tx) => items.insert(tx, { _key: 'single' }));
    const entries = engine.oplog.read(start, 100);
    assert.deepEqual(
      entries.map((e) => `${e.key}${e.more === true ? '+' : ''}`),
      ['g1', 'g2', 'g3', 'm1+', 'm2+', 'm3', 'single'],
    );
  });

  it('a 30,000-insert transaction tailed with a small chunk comes in one answer; smaller writes around it still split by size', async () => {
    const start = engine.oplog.lastTick();
    for (let i = 0; i < 20; i++) await engine.write((tx) => items.insert(tx, { _key: `before${i}`, pad: 'b'.repeat(300) }));
    const bigFrom = engine.oplog.lastTick();
    await engine.writeAtomic((tx) => {
      for (let i = 0; i < N; i++) items.insert(tx, { _key: `big${i}`, n: i, pad: 'x'.repeat(40) });
    });
    const bigTo = engine.oplog.lastTick();
    for (let i = 0; i < 20; i++) await engine.write((tx) => items.insert(tx, { _key: `after${i}`, pad: 'a'.repeat(300) }));
    const stored = engine.oplog.read(bigFrom, N);
    assert.equal(stored.length, N);
    assert.equal(stored.filter((e) => e.more === true).length, N - 1);
    assert.equal(stored.at(-1)?.more, undefined);

    const answers = tailAll(engine, start, 4096);
    const holding = answers.filter((a) => ticksOf(a).some((t) => t > bigFrom && t <= bigTo));
    assert.equal(holding.length, 1, 'the transaction is in exactly one answer');
    const big = holding[0];
    assert.ok(big);
    assert.equal(ticksOf(big).filter((t) => t > bigFrom && t <= bigTo).length, N);
    assert.ok(answers.length > 3, `the writes around it are still cut by chunkSize (${answers.length} answers)`);
    for (const a of answers) assert.doesNotMatch(a.lines.at(-1) ?? '', /"more":true/);
    // what the follower applies per answer: the copy only ever holds none or all of the transaction
    const follower = await StorageEngine.open({ dataDir: tmp2.dir, retention }, log);
    try {
      const state = new ReplicationState(follower);
      const applier = new EntryApplier(follower, state, log, () => undefined);
      await applier.apply(tailAll(engine, 0, 1 << 20).flatMap((a) => a.lines.map(decodeEntry)).filter((e) => e.tick <= start));
      const copy = follower.collection('shop', 'items');
      const counts: number[] = [];
      for (const a of answers) {
        const { whole, heldBack } = completeUnits(a.lines.map(decodeEntry));
        assert.equal(heldBack, 0);
        await applier.apply(whole);
        counts.push([...copy.docs.getKeys({ start: 'big', end: 'bih' })].length);
      }
      assert.ok(counts.every((n) => n === 0 || n === N), `follower saw ${[...new Set(counts)].join(',')}`);
      assert.equal(counts.at(-1), N);
      // the follower's own log (it feeds others after a failover) keeps the transaction one unit
      const relayed = follower.oplog.read(bigFrom, N + 1).filter((e) => e.tick <= bigTo);
      assert.equal(relayed.length, N);
      assert.equal(relayed.at(-1)?.more, undefined);
      assert.equal(relayed.filter((e) => e.more === true).length, N - 1);
    } finally {
      await follower.close();
    }
  });

  it('a database-filtered tail ends a unit whose last entry belongs to another database, and never cuts one', async () => {
    const start = engine.oplog.lastTick();
    await engine.writeAtomic((tx) => {
      for (let i = 0; i < 25_000; i++) items.insert(tx, { _key: `x${i}` });
      other.insert(tx, { _key: 'last-elsewhere' });
    });
    await engine.write((tx) => items.insert(tx, { _key: 'next' }));
    const answers = tailAll(engine, start, 1024, (e) => e.database === 'shop');
    assert.equal(answers.length, 2);
    const [first, second] = answers as [TailChunk, TailChunk];
    assert.equal(first.lines.length, 25_000);
    assert.doesNotMatch(first.lines.at(-1) ?? '', /"more":true/, 'the last shop entry ends the unit for this tail');
    assert.match(first.lines[0] ?? '', /"more":true/);
    assert.equal(first.lastScanned, engine.oplog.read(start, 25_001).at(-1)?.tick, 'the other database\'s end was scanned');
    assert.deepEqual(second.lines.map((l) => decodeEntry(l).key), ['next']);
  });

  it('a range that stops inside a unit leaves that unit out; a follower holds back a rest it is sent anyway', async () => {
    const start = engine.oplog.lastTick();
    await engine.write((tx) => items.insert(tx, { _key: 'y0' }));
    await engine.writeAtomic((tx) => ['y1', 'y2', 'y3'].forEach((k) => items.insert(tx, { _key: k })));
    const [y0, y1, y2] = engine.oplog.read(start, 3) as [LogEntry, LogEntry, LogEntry];
    const cut = collectTail(engine.oplog.iterate(start, y2.tick), { chunkBytes: 1 << 20, maxEntries: 20_000, ship: () => true });
    assert.deepEqual(ticksOf(cut), [y0.tick]);
    assert.equal(cut.lastScanned, y0.tick);
    const sent = [y0, y1, y2];
    assert.deepEqual(completeUnits(sent), { whole: [y0], heldBack: 2 });
    assert.deepEqual(completeUnits([y1, y2]).whole, []);
    assert.deepEqual(completeUnits(sent.slice(0, 1)), { whole: [y0], heldBack: 0 });
  });

  it('entries without the flag (older data directories, older leaders) are each a unit of their own', () => {
    const doc = Buffer.from('{"_key":"k","_id":"c/k","_rev":"_r"}');
    const old: LogEntry[] = [1, 2, 3].map((tick) => ({ tick, type: 2300, database: 'd', collection: 'c', cid: '9', op: 'insert', key: `k${tick}`, rev: '_r', doc }));
    // what an older version stored: no flag bit
    const stored = old.map((e) => decodeLogEntry(e.tick, encodeLogEntry(e)));
    assert.ok(stored.every((e) => e.more === undefined));
    const one = collectTail(stored, { chunkBytes: 1, maxEntries: 20_000, ship: () => true });
    assert.equal(one.lines.length, 1);
    assert.deepEqual(completeUnits(old.map((e) => decodeEntry(encodeEntry(e)))).heldBack, 0);
    // and the flag round-trips through storage and wire, for document and catalog entries
    const ddl: LogEntry = { tick: 4, type: 2000, database: 'd', collection: 'c', cid: '9', data: { id: '9' } };
    for (const e of [old[0], ddl] as LogEntry[]) {
      assert.equal(decodeLogEntry(e.tick, encodeLogEntry(e, true)).more, true);
      assert.equal(decodeLogEntry(e.tick, encodeLogEntry({ ...e, more: true }, false)).more, undefined);
      assert.equal(decodeEntry(encodeEntry(e, true)).more, true);
      assert.equal(decodeEntry(encodeEntry({ ...e, more: true }, false)).more, undefined);
    }
  });
});
