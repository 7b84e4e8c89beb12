// x-arango-queue-time-seconds (issue #8): every response reports how long work waits before it
// runs, and a client that sends the header with a limit is refused with 412 / 21004 when the
// server is over it (ArangoDB's overload control; arangojs reads it as `db.queueTime`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';

describe('queue time', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--query.threads', '2'] });
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('reports a small queue time on every response, errors included', async () => {
    const ok = await fetch(`${server.endpoint}/_api/version`, { headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}` } });
    const okTime = Number(ok.headers.get('x-arango-queue-time-seconds'));
    assert.ok(Number.isFinite(okTime) && okTime >= 0 && okTime < 1, `header ${ok.headers.get('x-arango-queue-time-seconds')}`);
    const denied = await fetch(`${server.endpoint}/_api/version`);
    assert.equal(denied.status, 401);
    assert.ok(Number.isFinite(Number(denied.headers.get('x-arango-queue-time-seconds'))));
  });

  it('counts the wait of queries queued behind busy workers, and refuses clients whose limit it exceeds', async () => {
    const db = server.db();
    // both workers busy for 5 s: the third query waits for one of them
    const busy = [db.query('RETURN SLEEP(5)'), db.query('RETURN SLEEP(5)')];
    const deadline = Date.now() + 10_000;
    while ((await db.listRunningQueries()).length < 2) {
      assert.ok(Date.now() < deadline, 'sleeping queries never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    // a third query waits in the queue: its age is the queue time
    const queued = db.query('RETURN 1');
    const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };
    for (;;) {
      const r = await fetch(`${server.endpoint}/_api/version`, { headers: { ...auth, 'x-arango-queue-time-seconds': '0.5' } });
      const body = (await r.json()) as { errorNum?: number };
      if (r.status !== 200) {
        assert.equal(r.status, 412);
        assert.equal(body.errorNum, 21004);
        assert.ok(Number(r.headers.get('x-arango-queue-time-seconds')) > 0.5);
        break;
      }
      assert.ok(Date.now() < deadline + 10_000, 'a query queued behind busy workers never raised the queue time over 0.5 s');
      await new Promise((res) => setTimeout(res, 20));
    }
    // arangojs reads the figure from every response
    await db.version();
    assert.ok((db.queueTime.getLatest() ?? 0) > 0.5, `latest queue time ${db.queueTime.getLatest()}`);
    // a relaxed limit passes
    const relaxed = await fetch(`${server.endpoint}/_api/version`, { headers: { ...auth, 'x-arango-queue-time-seconds': '60' } });
    assert.equal(relaxed.status, 200);
    await (await queued).all();
    await Promise.all(busy);
  });
});
