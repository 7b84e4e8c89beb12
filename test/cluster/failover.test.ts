import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { fixtureZip } from '../foxx/foxx-helpers.ts';
import { getJson, startCluster, type TestCluster } from '../harness/cluster.ts';
import { rawRequest, waitFor } from '../harness/server.ts';
import { withLogsOnFailure } from '../harness/logs-on-failure.ts';

/** Writes continuously through arangojs (all endpoints), retrying on errors; records acknowledged keys. */
function startWriter(c: TestCluster, collection: string): { acked: string[]; errors: number; stop: () => Promise<void>; ackedAfter: (t: number) => number } {
  const db = c.client();
  const acked: Array<{ key: string; at: number }> = [];
  let errors = 0;
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const key = `w${n++}`;
      try {
        await db.collection(collection).save({ _key: key, at: Date.now() });
        acked.push({ key, at: Date.now() });
      } catch {
        errors++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  return {
    get acked() {
      return acked.map((a) => a.key);
    },
    get errors() {
      return errors;
    },
    ackedAfter: (t: number) => acked.filter((a) => a.at > t).length,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe('failover under load', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2, args: ['--foxx.queues-poll-interval', '100'] });
    assert.equal(await c.waitForLeader(), 0);
  });
  after(async () => {
    await c?.stop();
  });

  it('SIGKILL the leader: writes resume on the new leader, Foxx routes answer, queued jobs run, users log in', { timeout: 90_000 }, async () => {
    await withLogsOnFailure(() => c.logs(), () => killLeaderUnderLoad(c));
  });
});

/** Kills the leader while arangojs writes, then checks the new leader: writes, Foxx routes, queued jobs, users. */
async function killLeaderUnderLoad(c: TestCluster): Promise<void> {
  const db = c.client();
  await db.createCollection('load');
  await db.createUser('bob', { passwd: 'pw' });
  await db.installService('/queue', (await fixtureZip('queue')).blob);
  const push = await rawRequest(c.endpoints[0] ?? '', 'POST', '/queue/push', JSON.stringify({ script: 'work', data: { value: 42 }, opts: { delayUntil: Date.now() + 2500 } }), {
    'content-type': 'application/json',
  });
  assert.equal(push.status, 201, push.text);
  const jobId = (push.json as { id: string }).id;
  const writer = startWriter(c, 'load');
  await waitFor(() => writer.acked.length > 50, { timeoutMs: 10_000, what: 'writes before the kill' });
  await c.waitForCaughtUp(1);
  const killedAt = Date.now();
  await c.kill(0);
  assert.equal(await c.waitForLeader(15_000), 1);
  await waitFor(() => writer.ackedAfter(killedAt) > 50, { timeoutMs: 15_000, what: 'writes acknowledged by the new leader' });
  await writer.stop();
  const b = c.endpoints[1] ?? '';
  // a Foxx route answers on the new leader
  const log = await rawRequest(b, 'GET', '/queue/log');
  assert.equal(log.status, 200, log.text);
  // the job queued before the kill runs there
  await waitFor(async () => {
    const r = await rawRequest(b, 'GET', '/queue/log');
    return r.status === 200 && (r.json as Array<{ job: string; value: number }>).some((l) => l.job === jobId && l.value === 42);
  }, { timeoutMs: 15_000, what: 'the queued job to run on the new leader' });
  // a user created before the kill logs in there
  const auth = await fetch(`${b}/_open/auth`, { method: 'POST', body: JSON.stringify({ username: 'bob', password: 'pw' }) });
  assert.equal(auth.status, 200);
  const endpoints = (await getJson(`${b}/_api/cluster/endpoints`)) as { endpoints: Array<{ endpoint: string }> };
  assert.equal(endpoints.endpoints[0]?.endpoint, b.replace('http', 'tcp'));
}

describe('fencing', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2 });
    assert.equal(await c.waitForLeader(), 0);
  });
  after(async () => {
    c?.members[0]?.server?.process.kill('SIGCONT');
    await c?.stop();
  });

  it('a leader frozen past its lease accepts no write when it thaws, and follows the new leader', { timeout: 90_000 }, async () => {
    const db = c.client();
    await db.createCollection('fence');
    await db.collection('fence').save({ _key: 'before' });
    await c.waitForCaughtUp(1);
    const old = c.members[0]?.server;
    assert.ok(old);
    old.process.kill('SIGSTOP');
    try {
      assert.equal(await c.waitForLeader(15_000, 0), 1);
      // (not through `db`: its first host is the frozen process, which would never answer)
      await new Database({ url: c.endpoints[1] ?? '', auth: { username: 'root', password: '' } }).collection('fence').save({ _key: 'on-new-leader' });
    } finally {
      old.process.kill('SIGCONT');
    }
    const a = c.endpoints[0] ?? '';
    // the very first request after thawing must not be accepted as a write by the old leader
    const w = await rawRequest(a, 'POST', '/_api/document/fence', JSON.stringify({ _key: 'split-brain' }), { 'content-type': 'application/json' });
    assert.equal(w.status, 503, w.text);
    await waitFor(async () => (await getJson(`${a}/_admin/server/mode`) as { mode?: string } | null)?.mode === 'readonly', { timeoutMs: 10_000, what: 'the old leader to turn follower' });
    await waitFor(async () => (await rawRequest(a, 'GET', '/_api/collection')).headers.get('x-arango-endpoint') === c.endpoints[1], {
      timeoutMs: 10_000,
      what: 'the old leader to redirect to the new one',
    });
    await c.waitForCaughtUp(0);
    const r = await rawRequest(a, 'GET', '/_api/document/fence/on-new-leader', undefined, { 'x-arango-allow-dirty-read': 'true' });
    assert.equal(r.status, 200);
    assert.equal((await rawRequest(c.endpoints[1] ?? '', 'GET', '/_api/document/fence/split-brain')).status, 404);
  });
});

describe('rejoin', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2 });
    assert.equal(await c.waitForLeader(), 0);
  });
  after(async () => {
    c?.members[1]?.server?.process.kill('SIGCONT');
    await c?.stop();
  });

  it('the old leader comes back as a follower, catches up, and keeps its unshipped writes in _rollback', { timeout: 90_000 }, async () => {
    const [a, b] = c.endpoints as [string, string];
    const leader = new Database({ url: a, auth: { username: 'root', password: '' } });
    const col = await leader.createCollection('rj');
    await col.save({ _key: 'shared' });
    await c.waitForCaughtUp(1);
    const follower = c.members[1]?.server;
    assert.ok(follower);
    // freeze the follower: the leader answers its pending long-poll once, later writes stay unshipped
    follower.process.kill('SIGSTOP');
    const written: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        await col.save({ _key: `lost${i}`, v: i });
        written.push(`lost${i}`);
      }
      await c.kill(0);
    } finally {
      follower.process.kill('SIGCONT');
    }
    assert.equal(await c.waitForLeader(15_000), 1);
    const onNew = async (key: string): Promise<boolean> => (await rawRequest(b, 'GET', `/_api/document/rj/${key}`)).status === 200;
    const unshipped: string[] = [];
    for (const k of written) if (!(await onNew(k))) unshipped.push(k);
    assert.ok(unshipped.length > 0, 'some writes never reached the follower');
    await new Database({ url: b, auth: { username: 'root', password: '' } }).collection('rj').save({ _key: 'after-failover' });
    await c.start(0);
    await c.waitForCaughtUp(0);
    const logs = c.members[0]?.server?.logs() ?? '';
    assert.match(logs, new RegExp(`rolled back ${unshipped.length} change\\(s\\)`));
    const keys = (await (await fetch(`${a}/_api/replication/kitsune/keys?collection=_rollback`, { headers: { authorization: c.superuser() } })).json()) as { keys: Array<[string, string]> };
    const docs = await (await fetch(`${a}/_api/replication/kitsune/documents?collection=_rollback`, {
      method: 'PUT',
      headers: { authorization: c.superuser() },
      body: JSON.stringify(keys.keys.map(([k]) => k)),
    })).text();
    const records = docs.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { database: string; collection: string; key: string; document: { v: number } | null; tick: string });
    assert.deepEqual(records.map((r) => r.key).sort(), [...unshipped].sort());
    for (const r of records) {
      assert.equal(r.database, '_system');
      assert.equal(r.collection, 'rj');
      assert.match(r.tick, /^\d+$/);
      assert.equal(r.document?.v, Number(r.key.slice(4)));
    }
    // the old leader now mirrors the new one: rolled-back documents are gone, the new write is there
    const dirty = { 'x-arango-allow-dirty-read': 'true' };
    assert.equal((await rawRequest(a, 'GET', '/_api/document/rj/after-failover', undefined, dirty)).status, 200);
    for (const k of unshipped) assert.equal((await rawRequest(a, 'GET', `/_api/document/rj/${k}`, undefined, dirty)).status, 404);
  });
});
