import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fixtureZip } from '../foxx/foxx-helpers.ts';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

const MiB = 1024 * 1024;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

describe('request body memory (attack: parallel large unauthenticated uploads)', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--http.max-buffered-bytes', String(16 * MiB)] });
    await server.db().installService('/hello', (await fixtureZip('hello')).blob);
    await server.db().createCollection('kept');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('caps the bytes buffered for all requests (503 beyond), keeps serving others and loses nothing', async () => {
    const pid = server.process.pid ?? 0;
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 20);
    const big = Buffer.alloc(8 * MiB, 0x61);
    const statuses: number[] = [];
    const errorNums = new Set<number>();
    const upload = async (): Promise<void> => {
      const r = await fetch(`${server.endpoint}/hello/anything`, { method: 'POST', body: big, headers: { authorization: '' } });
      const text = await r.text();
      statuses.push(r.status);
      if (r.status === 503) errorNums.add((JSON.parse(text) as { errorNum: number }).errorNum);
    };
    const uploads = Array.from({ length: 40 }, () => upload());
    // an authenticated client keeps being served meanwhile, and its writes are kept
    const keys: string[] = [];
    const writes: Array<{ status: number; ms: number }> = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const r = await rawRequest(server.endpoint, 'POST', '/_api/document/kept', `{"_key":"k${i}"}`);
      writes.push({ status: r.status, ms: performance.now() - t0 });
      keys.push(`k${i}`);
    }
    await Promise.all(uploads);
    // small bodies are not counted against the cap: they are served during the flood
    assert.ok(writes.every((w) => w.status === 202), JSON.stringify(writes));
    assert.ok(Math.max(...writes.map((w) => w.ms)) < 10_000, `a small write is not stalled: ${JSON.stringify(writes)}`);
    clearInterval(sampler);
    assert.ok(statuses.includes(503), `some uploads are refused: ${statuses.join(',')}`);
    assert.deepEqual([...errorNums], [503]);
    // 40 × 8 MiB = 320 MiB offered; with a 16 MiB cap the process grows by far less
    assert.ok(peak - before < 200 * MiB, `RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`);
    for (const k of keys) assert.equal((await rawRequest(server.endpoint, 'GET', `/_api/document/kept/${k}`)).status, 200);
    // the budget is returned: a large body is accepted again once the flood is over
    const after = await fetch(`${server.endpoint}/hello/anything`, { method: 'POST', body: big });
    await after.text();
    assert.notEqual(after.status, 503);
  });

  it('does not read /_api bodies before authentication', async () => {
    const r = await fetch(`${server.endpoint}/_api/document/kept`, { method: 'POST', body: Buffer.alloc(8 * MiB, 0x20), headers: { authorization: 'Basic eDp5' } });
    await r.text();
    assert.equal(r.status, 401);
  });
});
