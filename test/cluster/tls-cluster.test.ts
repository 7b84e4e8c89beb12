import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import tls from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';
import { mapIds, shardOf } from './cluster-helpers.ts';
import { serviceZip } from './foxx-helpers.ts';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type RoleHandle, type ShardedCluster } from '../harness/sharded-cluster.ts';

const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
const KEYFILE = path.join(TLS, 'server.pem');
const CAFILE = path.join(TLS, 'ca.pem');
const CA = fs.readFileSync(CAFILE, 'utf8');
// this test process trusts the test CA for its own fetch calls (harness helpers included)
setGlobalDispatcher(new Agent({ connect: { ca: [...tls.rootCertificates, CA] } }));

/** arangojs over HTTPS to exactly one coordinator, trusting the test CA. */
function on(h: RoleHandle, database = '_system', auth = { username: 'root', password: '' }): Database {
  return new Database({ url: h.endpoint, databaseName: database, auth, agentOptions: { connect: { ca: CA } } });
}

describe('cluster mode over TLS: ssl:// endpoints, --ssl.keyfile on every member, --ssl.cafile between them', () => {
  let c: ShardedCluster;
  const ids = new Map<string, RoleHandle>();
  before(async () => {
    c = await startShardedCluster({ dbServers: 2, coordinators: 2, tls: { keyfile: KEYFILE, cafile: CAFILE } });
    await mapIds(c, ids);
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('every member answers HTTPS only and reports ssl:// endpoints', async () => {
    for (const h of [...c.dbServers, ...c.coordinators]) {
      assert.match(h.endpoint, /^https:/);
      await assert.rejects(fetch(h.endpoint.replace(/^https:/, 'http:') + '/_api/version', { signal: AbortSignal.timeout(5000) }));
    }
    const health = (await c.client().route('/_admin/cluster/health').get()).parsedBody as { Health: Record<string, { Endpoint: string; Role: string }> };
    const endpoints = Object.values(health.Health).map((s) => s.Endpoint);
    assert.equal(endpoints.length, 4);
    for (const e of endpoints) assert.match(e, /^ssl:\/\/127\.0\.0\.1:\d+$/);
    const cl = (await c.client().route('/_api/cluster/endpoints').get()).parsedBody as { endpoints: Array<{ endpoint: string }> };
    assert.deepEqual(cl.endpoints.map((e) => e.endpoint).sort(), c.coordinators.map((h) => h.endpoint.replace(/^https:/, 'ssl:')).sort());
  });

  it('arangojs over HTTPS end to end: databases, documents, AQL, users, replication to the follower and a failover', async () => {
    await c.client().createDatabase('secure', { replicationFactor: 2 });
    const db = c.client('secure');
    const col = await db.createCollection('docs');
    await col.saveAll(Array.from({ length: 50 }, (_, i) => ({ _key: `k${i}`, i })));
    assert.equal((await col.document('k7')).i, 7);
    assert.deepEqual(await (await db.query('FOR d IN docs FILTER d.i < 3 SORT d.i RETURN d.i')).all(), [0, 1, 2]);
    // users: created through one coordinator, logging in through the other (DB-servers copy _users over https)
    const [a, b] = c.coordinators as [RoleHandle, RoleHandle];
    await on(a).createUser('tess', { passwd: 'pw' });
    await on(a).route('/_api/user/tess/database/secure').put({ grant: 'rw' });
    assert.equal((await on(b, 'secure', { username: 'tess', password: 'pw' }).collection('docs').document('k1')).i, 1);
    // the follower replicates over https and joins the in-sync set
    let s = await shardOf(db);
    await waitFor(async () => (s = await shardOf(db).catch(() => null)) !== null && s.inSync.length === 1, { timeoutMs: 30_000, what: 'the follower of secure to be in sync over https' });
    assert.ok(s);
    const leader = ids.get(s.leader);
    assert.ok(leader?.server);
    const pending = col.document('k3');
    await leader.server.kill();
    assert.equal((await pending).i, 3);
    // reads through the coordinators go on while the follower takes over (retried over https)
    await waitFor(async () => (await shardOf(db).catch(() => null))?.leader !== s?.leader, { timeoutMs: 20_000, what: 'the follower to take over' });
    assert.equal((await col.document('k49')).i, 49);
    await col.save({ _key: 'after' });
    await c.restart(leader);
  });

  it('Foxx over TLS: installed through one coordinator, served by the other (heal calls and db calls over https)', async () => {
    const [a, b] = c.coordinators as [RoleHandle, RoleHandle];
    await on(a).createCollection('items').then((col) => col.save({ _key: 'x', v: 1 }));
    await on(a).installService('/greet', serviceZip('1.0.0'), { configuration: { greeting: 'hello' } });
    for (const h of [a, b]) {
      const r = await fetch(`${h.endpoint}/_db/_system/greet/hello`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { version: '1.0.0', greeting: 'hello' });
      const d = await fetch(`${h.endpoint}/_db/_system/greet/doc/x`);
      assert.equal(((await d.json()) as { v: number }).v, 1);
    }
    await on(b).uninstallService('/greet');
    const gone = await fetch(`${a.endpoint}/_db/_system/greet/hello`);
    assert.equal(gone.status, 404);
  });
});
