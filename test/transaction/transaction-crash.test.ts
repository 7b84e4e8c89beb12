// Stream transaction isolation under races and crashes (issue #12): an aborted or expired
// transaction leaves nothing, also after SIGKILL; SIGKILL while a commit is being written leaves
// all of it or none of it; of two racing writers on one document exactly one fails with 1200.
// Rounds: KITSUNE_TRX_ROUNDS (CI: 1).
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { aql } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { startServer, tempDir, waitFor } from '../harness/server.ts';

const ROUNDS = Number(process.env['KITSUNE_TRX_ROUNDS'] ?? 1);
/** The crash test needs an even and an odd round at least. */
const CRASH_ROUNDS = Math.max(2, ROUNDS);
const ROOT = `Basic ${Buffer.from('root:').toString('base64')}`;

/**
 * Sends `PUT /_api/transaction/{id}` and resolves once the request has been flushed to the socket
 * (`until: 'sent'`) or once the answer's status line arrived (`until: 'answered'`, with the status).
 */
function sendCommit(endpoint: string, id: string, until: 'sent' | 'answered'): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.request(`${endpoint}/_api/transaction/${id}`, { method: 'PUT', headers: { authorization: ROOT, 'content-length': 0 } });
    req.on('error', () => resolve(undefined)); // the server is killed under it
    if (until === 'sent') req.on('finish', () => resolve(undefined));
    else req.on('response', (res) => resolve(res.statusCode));
    req.end();
  });
}

describe('stream transactions: races and crashes', () => {
  it('an aborted and an expired transaction leave nothing, also after SIGKILL', async (t) => {
    const tmp = tempDir();
    let server = await startServer({ dataDir: tmp.dir, args: ['--transaction.streaming-idle-timeout', '1'] });
    t.after(async () => {
      await server.stop();
      tmp.cleanup();
    });
    let db = server.db();
    const c = await db.createCollection('gone');
    await c.save({ _key: 'kept', v: 0 });
    const aborted = await db.beginTransaction({ write: c });
    await aborted.step(() => c.saveAll([{ _key: 'a1' }, { _key: 'a2' }]));
    await aborted.step(() => c.update('kept', { v: 1 }));
    assert.equal((await aborted.abort()).status, 'aborted');
    const expired = await db.beginTransaction({ write: c });
    await expired.step(() => c.saveAll([{ _key: 'x1' }, { _key: 'x2' }]));
    await expired.step(() => c.remove('kept'));
    await waitFor(async () => (await expired.get()).status === 'aborted', { timeoutMs: 10_000, what: 'the idle transaction to expire' });
    const check = async (): Promise<void> => {
      assert.deepEqual(await (await db.query(aql`FOR d IN gone RETURN [d._key, d.v]`)).all(), [['kept', 0]]);
    };
    await check();
    await server.kill();
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    await check();
  });

  it('SIGKILL while a commit is written leaves all of the transaction or none of it', { timeout: 120_000 }, async (t) => {
    const tmp = tempDir();
    let server = await startServer({ dataDir: tmp.dir });
    t.after(async () => {
      await server.stop();
      tmp.cleanup();
    });
    const DOCS = 5000;
    for (let r = 0; r < CRASH_ROUNDS; r++) {
      let db = server.db();
      const name = `half${r}`;
      const c = await db.createCollection(name);
      await c.save({ _key: 'victim' });
      const trx = await db.beginTransaction({ write: c });
      for (let b = 0; b < DOCS; b += 1000) {
        await trx.step(() => c.saveAll(Array.from({ length: 1000 }, (_, i) => ({ _key: `d${b + i}`, pad: 'x'.repeat(200) }))));
      }
      await trx.step(() => c.remove('victim'));
      // even rounds: killed right after the commit request went out; odd rounds: right after it was answered
      const answered = r % 2 === 1;
      const status = await sendCommit(server.endpoint, trx.id, answered ? 'answered' : 'sent');
      await server.kill();
      server = await startServer({ dataDir: tmp.dir });
      db = server.db();
      const count = (await db.collection(name).count()).count;
      const victim = await db.collection(name).documentExists('victim');
      // before the commit: only the victim; after it: all documents and no victim
      assert.ok((count === 1 && victim) || (count === DOCS && !victim), `half-applied transaction after SIGKILL: ${count} documents, victim ${victim}`);
      // an answered commit is durable: it survives SIGKILL
      if (answered) assert.deepEqual([status, count, victim], [200, DOCS, false]);
    }
  });

  it('of two transactions racing on one document exactly one fails with 1200; the other commits', async (t) => {
    const tmp = tempDir();
    const server = await startServer({ dataDir: tmp.dir });
    t.after(async () => {
      await server.stop();
      tmp.cleanup();
    });
    const db = server.db();
    const c = await db.createCollection('race');
    for (let r = 0; r < ROUNDS; r++) {
      await c.save({ _key: `doc${r}`, v: 0 }, { overwriteMode: 'replace' });
      const trxs = await Promise.all([db.beginTransaction({ write: c }), db.beginTransaction({ write: c })]);
      const outcomes = await Promise.all(
        trxs.map(async (trx, i) => {
          try {
            await trx.step(() => c.update(`doc${r}`, { v: i + 1 }));
            await trx.commit();
            return { i, ok: true as const };
          } catch (err) {
            await trx.abort().catch(() => undefined);
            return { i, ok: false as const, errorNum: (err as { errorNum?: number }).errorNum };
          }
        }),
      );
      const winners = outcomes.filter((o) => o.ok);
      const losers = outcomes.filter((o) => !o.ok);
      assert.equal(winners.length, 1, JSON.stringify(outcomes));
      assert.deepEqual(losers.map((o) => o.errorNum), [1200]);
      assert.equal((await c.document(`doc${r}`)).v, (winners[0]?.i ?? -1) + 1);
    }
    // a plain (non-transactional) write on a key an open transaction holds is not blocked, and the commit then fails whole
    const trx = await db.beginTransaction({ write: c });
    await trx.step(() => c.update('doc0', { v: 'trx' }));
    await c.update('doc0', { v: 'plain' });
    assert.deepEqual(await failure(() => trx.commit()), [409, 1200]);
    assert.equal((await c.document('doc0')).v, 'plain');
  });
});
