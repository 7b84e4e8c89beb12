import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';
import { fixtureZip } from './foxx-helpers.ts';

type JobDoc = { status: string; runs: number; runFailures: number; failures: unknown[]; delayUntil: number; modified: number };

describe('Foxx queues', () => {
  const tmp = tempDir('kitsune-foxx-queues-');
  const dataDir = path.join(tmp.dir, 'data');
  const args = ['--foxx.queues-poll-interval', '100'];
  let server: ServerHandle;

  before(async () => {
    server = await startServer({ dataDir, args });
    await server.db().installService('/queue', (await fixtureZip('queue')).blob);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const push = async (body: unknown): Promise<string> => {
    const res = await rawRequest(server.endpoint, 'POST', '/queue/push', JSON.stringify(body), { 'content-type': 'application/json' });
    assert.equal(res.status, 201, res.text);
    return (res.json as { id: string }).id;
  };
  const job = (id: string): Promise<JobDoc> => server.db().collection('_jobs').document(id.replace('_jobs/', '')) as Promise<JobDoc>;

  it('runs a pushed job in a worker and marks it complete', async () => {
    const id = await push({ script: 'work', data: { value: 7 } });
    await waitFor(async () => (await job(id)).status === 'complete', { timeoutMs: 10_000, what: 'job complete' });
    const log = (await rawRequest(server.endpoint, 'GET', '/queue/log')).json as Array<{ job: string; value: number }>;
    assert.ok(log.some((l) => l.job === id && l.value === 7));
    assert.equal((await job(id)).runs, 1);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const id = await push({ script: 'flaky', data: { failTimes: 2 }, opts: { maxFailures: 5, backOff: 200 } });
    await waitFor(async () => (await job(id)).status === 'complete', { timeoutMs: 15_000, what: 'flaky job complete' });
    const doc = await job(id);
    assert.equal(doc.runFailures, 2);
    assert.equal(doc.failures.length, 2);
    const attempts = ((await rawRequest(server.endpoint, 'GET', '/queue/log')).json as Array<{ job: string; attempt?: number; at: number }>).filter((l) => l.job === id).sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
    assert.equal(attempts.length, 3);
    const [a1, a2, a3] = attempts.map((a) => a.at);
    // Backoff doubles: ≥200 ms before the 2nd attempt, ≥400 ms before the 3rd.
    assert.ok((a2 ?? 0) - (a1 ?? 0) >= 190, `second attempt after ${(a2 ?? 0) - (a1 ?? 0)} ms`);
    assert.ok((a3 ?? 0) - (a2 ?? 0) >= 390, `third attempt after ${(a3 ?? 0) - (a2 ?? 0)} ms`);
  });

  it('marks a job failed after maxFailures', async () => {
    const id = await push({ script: 'flaky', data: { failTimes: 10 }, opts: { maxFailures: 1, backOff: 10 } });
    await waitFor(async () => (await job(id)).status === 'failed', { timeoutMs: 10_000, what: 'job failed' });
    assert.equal((await job(id)).runFailures, 2);
  });

  it('keeps delayed jobs across a restart and resets jobs left in progress', async () => {
    const delayed = await push({ script: 'work', data: { value: 99 }, opts: { delayUntil: Date.now() + 1500 } });
    const stale = await push({ script: 'work', data: { value: 100 }, opts: { delayUntil: Date.now() + 60_000 } });
    // Simulate a crash mid-run: the job is marked in progress but nothing runs it.
    await server.db().collection('_jobs').update(stale.replace('_jobs/', ''), { status: 'progress', delayUntil: 0 });
    await server.kill();
    server = await startServer({ dataDir, args });
    await waitFor(async () => (await job(delayed)).status === 'complete', { timeoutMs: 15_000, what: 'delayed job ran after restart' });
    await waitFor(async () => (await job(stale)).status === 'complete', { timeoutMs: 15_000, what: 'stale job reset and ran' });
  });
});
