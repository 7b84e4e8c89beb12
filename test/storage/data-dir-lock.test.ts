import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer, tempDir } from '../harness/server.ts';

describe('data directory lock (attack: delete LOCK, start a second server)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('refuses a second server even after LOCK was deleted, and loses no acknowledged write', async () => {
    const first = await startServer({ dataDir: tmp.dir });
    try {
      const c = await first.db().createCollection('acked');
      const acked: string[] = [];
      for (let i = 0; i < 50; i++) {
        await c.save({ _key: `a${i}` });
        acked.push(`a${i}`);
      }
      fs.rmSync(path.join(tmp.dir, 'LOCK'));
      await assert.rejects(startServer({ dataDir: tmp.dir }), /in use by another kitsune process/);
      for (let i = 50; i < 100; i++) {
        await c.save({ _key: `a${i}` });
        acked.push(`a${i}`);
      }
      await first.stop();
      const again = await startServer({ dataDir: tmp.dir });
      try {
        const keys = new Set(await (await again.db().query('FOR d IN acked RETURN d._key')).all());
        assert.deepEqual(acked.filter((k) => !keys.has(k)), [], 'every acknowledged write survives');
      } finally {
        await again.stop();
      }
    } finally {
      await first.stop();
    }
  });
});
