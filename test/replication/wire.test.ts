import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FollowerTracker, decodeEntry, encodeEntry } from '../../src/replication/index.ts';
import { revOf } from '../../src/replication/wire.ts';
import { isAllowedOnNonLeader } from '../../src/cluster/index.ts';
import type { LogEntry } from '../../src/storage/index.ts';

describe('replication wire format', () => {
  it('round-trips document, remove and catalog entries in ArangoDB marker shape', () => {
    const doc = Buffer.from('{"_key":"k","_id":"c/k","_rev":"_abc","v":[1,{"x":"y"}]}');
    const entries: LogEntry[] = [
      { tick: 1795302599592001, type: 2300, database: 'shop', collection: 'c', cid: '123', op: 'insert', key: 'k', rev: '_abc', doc },
      { tick: 1795302599592002, type: 2302, database: 'shop', collection: 'c', cid: '123', key: 'k', rev: '_abc' },
      { tick: 1795302599592003, type: 2100, database: 'shop', collection: 'c', cid: '123', data: { id: '9', type: 'persistent', fields: ['a'] } },
      { tick: 1795302599592004, type: 1101, database: 'gone' },
    ];
    for (const e of entries) {
      const line = encodeEntry(e);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      assert.equal(parsed['tick'], String(e.tick));
      assert.equal(parsed['type'], e.type);
      assert.equal(parsed['db'], e.database);
      assert.equal(parsed['tid'], '0');
      const back = decodeEntry(line);
      assert.equal(back.tick, e.tick);
      assert.equal(back.type, e.type);
      assert.equal(back.cid, e.cid);
      assert.equal(back.collection, e.collection);
      if (e.type === 2300) assert.deepEqual(JSON.parse(Buffer.from(back.doc ?? []).toString()), JSON.parse(doc.toString()));
      if (e.type === 2302) assert.deepEqual([back.key, back.rev], ['k', '_abc']);
      if (e.data !== undefined) assert.deepEqual(back.data, e.data);
    }
    assert.throws(() => decodeEntry('{"type":2300}'));
    assert.equal(revOf(doc), '_abc');
  });

  it('sync waiters resolve once enough followers of the current term applied the tick, and time out otherwise', async () => {
    const t = new FollowerTracker();
    const term = (): number => 7;
    const w = t.waitFor(100, 1, term, 2000);
    t.report('f1', 99, 7);
    t.report('f2', 150, 6); // another term does not count
    let done = false;
    void w.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(done, false);
    t.report('f1', 100, 7);
    await w;
    await assert.rejects(t.waitFor(500, 1, term, 50), (e: { errorNum?: number }) => e.errorNum === 1457);
  });

  it('lets non-leaders serve exactly the allowed paths', () => {
    assert.equal(isAllowedOnNonLeader('/_api/cluster/endpoints', false), true);
    assert.equal(isAllowedOnNonLeader('/_api/wal/tail', false), true);
    assert.equal(isAllowedOnNonLeader('/_api/version', true), true);
    assert.equal(isAllowedOnNonLeader('/_api/version', false), false);
    assert.equal(isAllowedOnNonLeader('/_api/document/x/y', true), false);
    assert.equal(isAllowedOnNonLeader('/_admin/compact', false), true);
  });
});
