import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openUpload, rssBytes, within } from '../harness/raw-upload.ts';
import { rawRequest } from '../harness/server.ts';
import { startShardedCluster, type ShardedCluster } from '../harness/sharded-cluster.ts';
import { on, serviceZip } from './foxx-helpers.ts';

const MiB = 1024 * 1024;


describe('request body memory on a coordinator (attack: parallel large unauthenticated uploads)', () => {
  let c: ShardedCluster;
  before(async () => {
    c = await startShardedCluster({
      dbServers: 1,
      coordinators: 1,
      args: ['--http.max-buffered-bytes', String(16 * MiB), '--http.max-body-bytes', String(24 * MiB), '--cluster.default-replication-factor', '1'],
    });
    const coordinator = c.coordinators[0]!;
    await on(coordinator).installService('/greet', serviceZip('1.0.0', { extra: "router.post('/upload', (req, res) => res.json({ n: req.rawBody.length }));" }));
    await on(coordinator).collection('kept').create();
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('answers 503/401/413 quickly, keeps serving an authenticated client, loses nothing it acknowledged and stays bounded in memory', async () => {
    const coordinator = c.coordinators[0]!;
    const pid = coordinator.server!.process.pid ?? 0;
    const before = await rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      void rssBytes(pid).then((n) => (peak = Math.max(peak, n)), () => undefined);
    }, 20);
    const big = Buffer.alloc(8 * MiB, 0x20);
    const answers: Array<{ what: string; status: number; ms: number }> = [];
    const upload = async (what: string, urlPath: string, headers: Record<string, string>): Promise<void> => {
      const t0 = performance.now();
      const r = await fetch(`${coordinator.endpoint}${urlPath}`, { method: 'POST', body: big, headers });
      await r.text();
      answers.push({ what, status: r.status, ms: performance.now() - t0 });
    };
    // Foxx service routes read their body unauthenticated; /_api/collection is read before the leader authenticates
    const uploads = [
      ...Array.from({ length: 20 }, () => upload('foxx', '/_db/_system/greet/upload', {})),
      ...Array.from({ length: 20 }, () => upload('collection', '/_api/collection', { authorization: 'Basic eDp5', 'content-type': 'application/json' })),
    ];
    // declared beyond --http.max-body-bytes: refused at once, before any byte of the body
    const oversized = ['/_db/_system/greet/upload', '/_api/collection', '/_api/document/kept'].map((p) => openUpload(coordinator.endpoint, 'POST', p, 30 * MiB));
    // an authenticated client meanwhile: reads and small writes through the coordinator
    const served: Array<{ status: number; ms: number }> = [];
    const keys: string[] = [];
    for (let i = 0; i < 15; i++) {
      let t0 = performance.now();
      const read = await rawRequest(coordinator.endpoint, 'GET', '/_api/collection/kept');
      served.push({ status: read.status, ms: performance.now() - t0 });
      t0 = performance.now();
      const write = await rawRequest(coordinator.endpoint, 'POST', '/_api/document/kept', `{"_key":"k${i}"}`);
      served.push({ status: write.status, ms: performance.now() - t0 });
      if (write.status === 202) keys.push(`k${i}`);
    }
    const tooLarge = await Promise.all(oversized.map((u) => within(u.status, 10_000)));
    for (const u of oversized) u.destroy();
    await Promise.all(uploads);
    clearInterval(sampler);
    assert.deepEqual(tooLarge, [413, 413, 413]);
    assert.ok(served.every((s) => s.status === 200 || s.status === 202), JSON.stringify(served));
    assert.ok(Math.max(...served.map((s) => s.ms)) < 10_000, `the authenticated client is not stalled: ${JSON.stringify(served)}`);
    const statuses = (what: string): number[] => answers.filter((a) => a.what === what).map((a) => a.status);
    assert.ok(statuses('foxx').every((s) => s === 200 || s === 503), `foxx: ${statuses('foxx').join(',')}`);
    assert.ok(statuses('collection').every((s) => s === 401 || s === 503), `collection: ${statuses('collection').join(',')}`);
    assert.ok([...statuses('foxx'), ...statuses('collection')].includes(503), 'some uploads are refused');
    assert.ok(Math.max(...answers.map((a) => a.ms)) < 30_000, `every upload is answered: ${JSON.stringify(answers.map((a) => Math.round(a.ms)))}`);
    // 40 × 8 MiB = 320 MiB offered; with a 16 MiB cap the coordinator grows by far less
    assert.ok(peak - before < 200 * MiB, `coordinator RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`);
    for (const k of keys) assert.equal((await rawRequest(coordinator.endpoint, 'GET', `/_api/document/kept/${k}`)).status, 200, k);
    assert.equal(keys.length, 15);
    // the budget is returned by every path: large bodies are accepted again
    const foxx = await fetch(`${coordinator.endpoint}/_db/_system/greet/upload`, { method: 'POST', body: big });
    assert.deepEqual([foxx.status, await foxx.json()], [200, { n: big.length }]);
    const padded = JSON.stringify({ name: 'padded', pad: 'p'.repeat(2 * MiB) });
    const created = await rawRequest(coordinator.endpoint, 'POST', '/_api/collection', padded, { 'content-type': 'application/json' });
    assert.equal(created.status, 200, created.text);
  });
});
