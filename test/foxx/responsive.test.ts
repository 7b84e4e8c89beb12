// Installing, replacing and upgrading a service must not hold the server's event loop: an
// active-failover leader that stops answering for about a second loses its agency lease and fails
// over (the first install used to build the service-process program synchronously).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { startProbe } from '../harness/probe.ts';
import { fixtureZip } from './foxx-helpers.ts';

/**
 * The longest a probe GET may take while services deploy. A calm machine stays under 100 ms; a
 * loaded CI machine has shown 234 ms; the synchronous build this guards against took 301 ms calm
 * and most of a second under load (set KITSUNE_PROBE_MAX_MS=200 on a calm machine to catch it there).
 */
const MAX_MS = Number(process.env['KITSUNE_PROBE_MAX_MS'] ?? 400);

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
    const probe = startProbe(db);
    await db.installService('/deploy', zip);
    await db.replaceService('/deploy', zip);
    await db.upgradeService('/deploy', zip);
    await db.installService('/deploy2', zip);
    const latencies = await probe.stop();
    assert.ok(latencies.length > 20, `only ${latencies.length} probe requests ran`);
    const worst = Math.max(...latencies);
    assert.ok(worst < MAX_MS, `a document GET took ${worst.toFixed(0)} ms while services deployed`);
    assert.equal((await db.route('/deploy').get('/log')).status, 200);
  });
});
