// Installing, replacing and upgrading a service must not hold the server's event loop: an
// active-failover leader that stops answering for about a second loses its agency lease and fails
// over (the first install used to build the service-process program synchronously).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { fixtureZip } from './foxx-helpers.ts';

/** The longest a probe GET may take while services deploy (a calm machine stays well under 100 ms). */
const MAX_MS = Number(process.env['KITSUNE_PROBE_MAX_MS'] ?? 200);

/** GETs one document every 10 ms until stopped; returns the latencies in ms. */
function probe(db: Database): () => Promise<number[]> {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await db.collection('probe').document('p');
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return latencies;
  };
}

describe('service deployment keeps the server responsive', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    await db.createCollection('probe');
    await db.collection('probe').save({ _key: 'p' });
    for (let i = 0; i < 50; i++) await db.collection('probe').document('p');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it(`answers a document GET within ${MAX_MS} ms while the first service of the server installs, is replaced and upgraded`, { timeout: 120_000 }, async () => {
    const zip = (await fixtureZip('queue')).blob;
    const stop = probe(db);
    await db.installService('/deploy', zip);
    await db.replaceService('/deploy', zip);
    await db.upgradeService('/deploy', zip);
    await db.installService('/deploy2', zip);
    const latencies = await stop();
    assert.ok(latencies.length > 20, `only ${latencies.length} probe requests ran`);
    const worst = Math.max(...latencies);
    assert.ok(worst < MAX_MS, `a document GET took ${worst.toFixed(0)} ms while services deployed`);
    assert.equal((await db.route('/deploy').get('/log')).status, 200);
  });
});
