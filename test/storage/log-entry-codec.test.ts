import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLogEntry, encodeLogEntry } from '../../src/storage/log-entry-codec.ts';
import type { LogEntry } from '../../src/storage/index.ts';

describe('operation-log entry codec', () => {
  it('round-trips document, remove and DDL entries', () => {
    const doc = Buffer.from(JSON.stringify({ _key: 'k', _id: 'c/k', _rev: 'r', text: 'zwölf\nlines' }));
    const entries: LogEntry[] = [
      { tick: 17, type: 2300, database: 'shop', collection: 'items', cid: '99', op: 'insert', key: 'k', rev: 'r', doc },
      { tick: 18, type: 2302, database: 'shop', collection: 'items', cid: '99', key: 'k', rev: 'r' },
      { tick: 19, type: 2000, database: 'shop', collection: 'items', cid: '99', data: { id: '99', name: 'items', indexes: [] } },
      { tick: 20, type: 1100, database: 'shop', data: { name: 'shop', id: '1' } },
    ];
    for (const e of entries) {
      const back = decodeLogEntry(e.tick, encodeLogEntry(e));
      assert.deepEqual({ ...back, doc: back.doc && Buffer.from(back.doc).toString() }, { ...e, doc: e.doc && Buffer.from(e.doc).toString() });
    }
  });
});
