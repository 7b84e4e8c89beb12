import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureZip } from '../foxx/foxx-helpers.ts';
import { openUpload, rssBytes, within } from '../harness/raw-upload.ts';
import { rawRequest, startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

const MiB = 1024 * 1024;


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
    const before = await rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      void rssBytes(pid).then((n) => (peak = Math.max(peak, n)), () => undefined);
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

  it('does not read /_api bodies before authentication: the 401 arrives while the body is still being sent', async () => {
    const declared = 8 * MiB;
    const up = openUpload(server.endpoint, 'POST', '/_api/document/kept', declared, { authorization: 'Basic eDp5' });
    // stream the body slowly (64 KiB per step, at most 20 ms apart) until the answer arrives
    let status: number | null | undefined;
    while (status === undefined && up.sent() < declared) {
      await up.write(64 * 1024);
      status = await within(up.status, 20);
    }
    status ??= await within(up.status, 10_000);
    const sent = up.sent();
    up.destroy();
    assert.equal(status, 401);
    assert.ok(sent < declared, `the 401 came after only ${sent} of ${declared} bytes were sent`);
  });
});

describe('request body memory (attack: stalled uploads that declare a large body)', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  const IDLE_S = 4;
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--http.max-buffered-bytes', String(32 * MiB), '--http.body-idle-timeout', String(IDLE_S)] });
    await server.db().installService('/hello', (await fixtureZip('hello')).blob);
    await server.db().createCollection('kept');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('closes stalled uploads after the idle timeout, which returns their bytes: a 1 MiB POST refused meanwhile is accepted then', async () => {
    const hold = 5.2 * MiB;
    // two clients (other loopback addresses) each send most of three bodies and stop: 3 × 5.2 MiB is
    // nearly a client's share (half of the 32 MiB cap), both together nearly the whole cap
    const clients = ['127.0.0.2', '127.0.0.3'];
    const partial = clients.flatMap((from) => [0, 1, 2].map(() => openUpload(server.endpoint, 'POST', '/hello/anything', Math.round(hold) + 1024, {}, from)));
    // and one declares a large body and sends nothing: it holds no bytes
    const silent = [0, 1].map(() => openUpload(server.endpoint, 'POST', '/hello/anything', 8 * MiB, {}, '127.0.0.4'));
    await Promise.all(partial.map((u) => u.write(Math.round(hold))));
    // the server read them once half a MiB more no longer fits either client's share (a probe that
    // sends no bytes takes nothing)
    for (const from of clients) {
      await waitFor(async () => {
        const probe = openUpload(server.endpoint, 'POST', '/hello/anything', MiB / 2, {}, from);
        const status = await within(probe.status, 200);
        probe.destroy();
        return status === 503;
      }, { timeoutMs: (IDLE_S - 1) * 1000, what: `the stalled bytes of ${from} held` });
    }
    const heldAt = performance.now();
    const doc = JSON.stringify({ s: 'a'.repeat(MiB) });
    const acknowledged: string[] = [];
    let n = 0;
    const post = async (): Promise<number> => {
      const key = `m${n++}`;
      const r = await rawRequest(server.endpoint, 'POST', '/_api/document/kept', `{"_key":"${key}",${doc.slice(1)}`);
      if (r.status === 202) acknowledged.push(key);
      return r.status;
    };
    // the stalled bytes hold the cap: a 1 MiB body of another client is refused …
    assert.equal(await post(), 503);
    // … and accepted once the idle timeout closed the stalled uploads, not later
    await waitFor(async () => (await post()) === 202, { timeoutMs: (IDLE_S + 6) * 1000, what: 'the 1 MiB POST accepted after the idle timeout' });
    const waited = performance.now() - heldAt;
    assert.ok(waited < (IDLE_S + 6) * 1000, `accepted ${waited.toFixed(0)} ms after the uploads stalled`);
    // every stalled connection is closed; those the server was reading got a 408 first
    await waitFor(() => [...silent, ...partial].every((u) => u.isClosed()), { timeoutMs: 10_000, what: 'the stalled connections closed' });
    for (const u of partial) assert.equal(await u.status, 408, u.received().slice(0, 300));
    for (const u of silent) assert.ok([408, 503].includes((await u.status) ?? 0), u.received().slice(0, 300));
    for (const k of acknowledged) assert.equal((await rawRequest(server.endpoint, 'GET', `/_api/document/kept/${k}`)).status, 200, k);
  });
});
