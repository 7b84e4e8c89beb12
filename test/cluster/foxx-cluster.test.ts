import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type ShardedCluster } from '../harness/sharded-cluster.ts';
import { foxxmasterOf, on, queueServiceZip, route, serviceZip } from './foxx-helpers.ts';

import { fixture, fixtureZip } from '../foxx/foxx-helpers.ts';

const run = promisify(execFile);
const FOXX_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'foxx-cli', 'bin', 'foxx');
const REPEAT = Number(process.env['KITSUNE_STRESS_REPEAT'] ?? '1');

async function rejection(p: Promise<unknown>): Promise<{ errorNum: unknown; code: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { errorNum?: unknown; code?: unknown };
    return { errorNum: e.errorNum, code: e.code };
  }
  assert.fail('expected the call to fail');
}

async function logEvents(c: ShardedCluster, mount: string): Promise<string[]> {
  const db = on(c.coordinators[0]!);
  const cursor = await db.query({ query: 'FOR l IN log FILTER l.mount == @m SORT l._key RETURN CONCAT(l.event, ":", l.version)', bindVars: { m: mount } });
  return (await cursor.all()) as string[];
}

describe('Foxx on every coordinator (real etcd, DB-servers and coordinators)', () => {
  let c: ShardedCluster;
  before(async () => {
    c = await startShardedCluster({ dbServers: 2, coordinators: 3 });
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('install on A is served identically on B and C; upgrade keeps config, replace discards it; uninstall tears down once and 404s everywhere', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    const info = await on(a).installService('/greet', serviceZip('1.0.0'), { configuration: { greeting: 'hello' } });
    assert.equal(info.version, '1.0.0');
    for (const h of [a, b, cc]) {
      const r = await route(h, '/greet/hello');
      assert.equal(r.status, 200, `coordinator ${h.endpoint}`);
      assert.deepEqual(r.body, { version: '1.0.0', greeting: 'hello' });
      const s = await on(h).getService('/greet');
      assert.equal(s.checksum, info.checksum);
    }
    // the service's db calls reach the database's leader from every coordinator
    await on(b).collection('items').create();
    await on(cc).collection('items').save({ _key: 'k1', n: 1 });
    for (const h of [a, b, cc]) assert.deepEqual(((await route(h, '/greet/doc/k1')).body as { n: number }).n, 1);

    await on(b).upgradeService('/greet', serviceZip('1.1.0'));
    for (const h of [a, b, cc]) assert.deepEqual((await route(h, '/greet/hello')).body, { version: '1.1.0', greeting: 'hello' });
    for (const h of [a, b, cc]) assert.equal((await on(h).getServiceConfiguration('/greet', true)).greeting, 'hello');

    await on(cc).replaceService('/greet', serviceZip('2.0.0'));
    for (const h of [a, b, cc]) assert.deepEqual((await route(h, '/greet/hello')).body, { version: '2.0.0', greeting: 'hi' });

    await on(a).uninstallService('/greet');
    for (const h of [a, b, cc]) {
      assert.equal((await route(h, '/greet/hello')).status, 404);
      assert.deepEqual(await on(h).listServices(), []);
    }
    // setup ran once per install/upgrade/replace, teardown once for replace and once for uninstall
    assert.deepEqual(await logEvents(c, '/greet'), ['setup:1.0.0', 'setup:1.1.0', 'teardown:1.1.0', 'setup:2.0.0', 'teardown:2.0.0']);
  });

  it('a coordinator stopped during an install and an upgrade serves the new version after its restart, never the old one', async () => {
    const [a, , cc] = c.coordinators;
    assert.ok(a && cc && cc.server);
    await on(a).installService('/late', serviceZip('1.0.0'));
    assert.deepEqual(((await route(cc, '/late/hello')).body as { version: string }).version, '1.0.0');
    await cc.server.kill();
    await on(a).upgradeService('/late', serviceZip('3.0.0'));
    await on(a).installService('/fresh', serviceZip('5.0.0'));
    await c.restart(cc, 'coordinator');
    // the first request after the ready line already sees the new versions
    assert.deepEqual(((await route(cc, '/late/hello')).body as { version: string }).version, '3.0.0');
    assert.deepEqual(((await route(cc, '/fresh/hello')).body as { version: string }).version, '5.0.0');
    await on(a).uninstallService('/late');
    await on(a).uninstallService('/fresh');
  });

  it('two installs of one mount through two coordinators at once: one wins, the other gets 3011, all converge', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    const outcomes = await Promise.allSettled([on(a).installService('/race', serviceZip('A')), on(b).installService('/race', serviceZip('B'))]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.equal((lost[0]?.reason as { errorNum?: number }).errorNum, 3011);
    const winner = outcomes[0]?.status === 'fulfilled' ? 'A' : 'B';
    for (const h of [a, b, cc]) {
      await waitFor(async () => ((await route(h, '/race/hello')).body as { version?: string }).version === winner, { timeoutMs: 10_000, what: `coordinator ${h.endpoint} serving ${winner}` });
    }
    await on(a).uninstallService('/race');
  });

  it('a broken service is broken the same way everywhere and replace with a good bundle repairs it everywhere', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    // refused without force: nothing is stored anywhere
    assert.equal((await rejection(on(a).installService('/bad', serviceZip('1.0.0', { broken: true })))).code, 400);
    for (const h of [a, b, cc]) assert.equal((await route(h, '/bad/hello')).status, 404);
    // forced: stored, and broken on every coordinator with the same error
    await on(a).replaceService('/bad', serviceZip('1.0.0', { broken: true }), { force: true });
    for (const h of [a, b, cc]) {
      const r = await route(h, '/bad/hello');
      assert.equal(r.status, 503, h.endpoint);
      assert.match(String((r.body as { errorMessage?: string }).errorMessage), /broken on purpose 1\.0\.0/);
    }
    await on(b).replaceService('/bad', serviceZip('1.0.1'));
    for (const h of [a, b, cc]) assert.equal(((await route(h, '/bad/hello')).body as { version: string }).version, '1.0.1');
    await on(a).uninstallService('/bad');
  });

  it('10 upgrades under load through every coordinator: no request fails, every coordinator ends on the last version', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    await on(a).installService('/busy', serviceZip('0'));
    let stop = false;
    const failures: string[] = [];
    let ok = 0;
    const load = async (h: typeof a): Promise<void> => {
      while (!stop) {
        const r = await route(h, '/busy/hello').catch((err: unknown) => ({ status: 0, body: String(err) }));
        if (r.status >= 200 && r.status < 300) ok++;
        else failures.push(`${h.endpoint} ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    const loops = [a, b, cc].map((h) => load(h));
    const upgrades = 10 * REPEAT;
    for (let i = 1; i <= upgrades; i++) await on(c.coordinators[i % 3]!).upgradeService('/busy', serviceZip(String(i)));
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(failures, []);
    assert.ok(ok > 0);
    for (const h of [a, b, cc]) assert.equal(((await route(h, '/busy/hello')).body as { version: string }).version, String(upgrades));
    await on(a).uninstallService('/busy');
  });

  it('GET /_admin/cluster/foxx shows on every coordinator the signature and state of every service', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    const good = await on(a).installService('/seen', serviceZip('1.0.0'));
    await on(a).replaceService('/wreck', serviceZip('1.0.0', { broken: true }), { force: true });
    type Status = { coordinators: Array<{ id: string; endpoint: string; services: Array<{ database: string; mount: string; signature: string; checksum: string; state: string; error?: string }> }> };
    const res = await fetch(`${b.endpoint}/_admin/cluster/foxx`, { headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}` } });
    assert.equal(res.status, 200);
    const status = (await res.json()) as Status;
    assert.deepEqual(status.coordinators.map((x) => x.endpoint).sort(), [a, b, cc].map((h) => h.endpoint).sort());
    const signatures = new Set<string>();
    for (const coord of status.coordinators) {
      const seen = coord.services.find((x) => x.mount === '/seen');
      const wreck = coord.services.find((x) => x.mount === '/wreck');
      assert.equal(seen?.state, 'ready', coord.endpoint);
      assert.equal(seen?.checksum, good.checksum);
      assert.match(String(seen?.signature), /^[0-9a-f]{64}$/);
      signatures.add(String(seen?.signature));
      assert.equal(wreck?.state, 'broken');
      assert.match(String(wreck?.error), /broken on purpose/);
    }
    assert.equal(signatures.size, 1);
    assert.equal((await fetch(`${b.endpoint}/_admin/cluster/foxx`)).status, 401);
    await on(a).uninstallService('/seen');
    await on(a).uninstallService('/wreck');
  });

  it('versions and rollback through any coordinator: listed from the leader, rolled back everywhere', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };
    type Version = { signature: string; version: string; current: boolean };
    const versions = async (h: typeof a): Promise<Version[]> => {
      const r = await fetch(`${h.endpoint}/_api/foxx/versions?mount=/versioned`, { headers: auth });
      assert.equal(r.status, 200, await r.clone().text());
      return (await r.json()) as Version[];
    };
    const v1 = await on(a).installService('/versioned', serviceZip('1.0.0'), { configuration: { greeting: 'kept' } });
    await on(b).upgradeService('/versioned', serviceZip('1.1.0'));
    await on(cc).upgradeService('/versioned', serviceZip('1.2.0'));
    for (const h of [a, b, cc]) {
      const list = await versions(h);
      assert.deepEqual(list.map((v) => [v.version, v.current]), [['1.2.0', true], ['1.1.0', false], ['1.0.0', false]], h.endpoint);
    }
    const r = await fetch(`${b.endpoint}/_api/foxx/rollback?mount=/versioned&to=${v1.checksum}`, { method: 'POST', headers: auth });
    assert.equal(r.status, 200, await r.text());
    // the rolled-back version is served by every coordinator, with the configuration kept
    for (const h of [a, b, cc]) {
      await waitFor(async () => JSON.stringify((await route(h, '/versioned/hello')).body) === JSON.stringify({ version: '1.0.0', greeting: 'kept' }), { timeoutMs: 15_000, what: `rollback on ${h.endpoint}` });
    }
    assert.deepEqual((await versions(cc)).map((v) => [v.version, v.current]), [['1.0.0', true], ['1.2.0', false], ['1.1.0', false]]);
    await on(a).uninstallService('/versioned');
  });

  it('development mode on A: edits are served only by A until commit, then by every coordinator', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    await on(a).installService('/dev', serviceZip('1.0.0'));
    const info = await on(a).setServiceDevelopmentMode('/dev', true);
    assert.equal(info.development, true);
    for (const h of [b, cc]) assert.equal((await on(h).getService('/dev')).development, true);
    const file = path.join(String((info as unknown as { path: string }).path), 'index.js');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('version: "1.0.0"', 'version: "edited"'));
    assert.equal(((await route(a, '/dev/hello')).body as { version: string }).version, 'edited');
    for (const h of [b, cc]) assert.equal(((await route(h, '/dev/hello')).body as { version: string }).version, '1.0.0');
    await on(a).commitLocalServiceState();
    for (const h of [a, b, cc]) assert.equal(((await route(h, '/dev/hello')).body as { version: string }).version, 'edited', h.endpoint);
    await on(b).setServiceDevelopmentMode('/dev', false);
    for (const h of [a, b, cc]) {
      assert.equal((await on(h).getService('/dev')).development, false);
      assert.equal(((await route(h, '/dev/hello')).body as { version: string }).version, 'edited');
    }
    await on(a).uninstallService('/dev');
  });

  it('foxx-cli against different coordinators: install on A, configure on B, upgrade on C, served everywhere', async () => {
    const [a, b, cc] = c.coordinators;
    assert.ok(a && b && cc);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-foxx-cli-'));
    const foxx = async (h: typeof a, ...args: string[]): Promise<string> => {
      const { stdout } = await run(process.execPath, [FOXX_CLI, ...args, '--server', h.endpoint, '--username', 'root'], { env: { ...process.env, HOME: home }, cwd: home });
      return stdout;
    };
    try {
      assert.match(await foxx(a, 'install', '/cli', fixture('hello')), /Installed service at "\/cli"/);
      const zipFile = path.join(home, 'configurable.zip');
      fs.writeFileSync(zipFile, (await fixtureZip('configurable')).bytes);
      await foxx(a, 'install', '/cfg', zipFile, '--cfg', 'maxItems=3', '--dep', 'greeter=/cli');
      await foxx(b, 'config', '/cfg', 'greeting=Yo');
      for (const h of [a, b, cc]) assert.equal(((await route(h, '/cfg/config')).body as { greeting: string }).greeting, 'Yo', h.endpoint);
      await foxx(cc, 'upgrade', '/cfg', zipFile);
      for (const h of [a, b, cc]) {
        assert.equal(((await route(h, '/cfg/config')).body as { greeting: string }).greeting, 'Yo', h.endpoint);
        assert.deepEqual((await route(h, '/cli/hello')).body, { hello: 'world' });
        assert.match(await foxx(h, 'list'), /\/cli\s+hello@1\.0\.0/);
      }
      await foxx(b, 'uninstall', '/cfg');
      await foxx(cc, 'uninstall', '/cli');
      for (const h of [a, b, cc]) assert.equal((await route(h, '/cli/hello')).status, 404);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('one Foxxmaster runs the queues; SIGKILLed with queued and running jobs, the next one runs them; --foxx.queues false is never elected', async () => {
    const coords = c.coordinators;
    await on(coords[0]!).installService('/jobs', queueServiceZip());
    let master = '';
    await waitFor(async () => {
      const views = await Promise.all(coords.map((h) => foxxmasterOf(h)));
      master = views[0]?.foxxmaster ?? '';
      return master !== '' && views.every((v) => v.foxxmaster === master) && views.filter((v) => v.isFoxxmaster).length === 1;
    }, { timeoutMs: 15_000, what: 'one Foxxmaster seen by every coordinator' });
    const masterIndex = (await Promise.all(coords.map((h) => foxxmasterOf(h)))).findIndex((v) => v.isFoxxmaster);
    const x = coords[masterIndex]!;
    const other = coords[(masterIndex + 1) % 3]!;
    const push = async (n: number, ms: number, delay: number): Promise<void> => {
      const res = await fetch(`${other.endpoint}/jobs/push`, { method: 'POST', body: JSON.stringify({ n, ms, delay }) });
      assert.equal(res.status, 201, await res.text());
    };
    const db = on(other);
    const ns = async (name: string): Promise<number[]> => ((await (await db.query({ query: 'FOR d IN @@c SORT d.n RETURN DISTINCT d.n', bindVars: { '@c': name } })).all()) as number[]);
    await push(1, 3000, 0);
    await push(2, 10, 2500);
    await push(3, 10, 2500);
    // job 1 runs on the Foxxmaster, which is killed before it finishes; 2 and 3 are still waiting
    await waitFor(async () => (await ns('started')).includes(1), { timeoutMs: 15_000, what: 'job 1 started' });
    await x.server?.kill();
    await waitFor(async () => (await ns('done')).join() === '1,2,3', { timeoutMs: 45_000, what: 'every job done on the next Foxxmaster' });
    // job 1 was running when its Foxxmaster died: its lease ran out and the next Foxxmaster ran it again
    const starts = (await (await db.query({ query: 'FOR d IN started FILTER d.n == 1 RETURN d.at', bindVars: {} })).all()) as number[];
    assert.equal(starts.length, 2);
    const views = await Promise.all(coords.filter((h) => h !== x).map((h) => foxxmasterOf(h)));
    assert.ok(views[0]?.foxxmaster !== null && views[0]?.foxxmaster !== master);
    // a coordinator without queues never becomes Foxxmaster, even when it is the last one standing
    await c.restart(x, 'coordinator', ['--foxx.queues', 'false']);
    for (const h of coords.filter((h) => h !== x)) await h.server?.kill();
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline) {
      const v = await foxxmasterOf(x);
      assert.equal(v.isFoxxmaster, false);
      if (v.foxxmaster === null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const last = await foxxmasterOf(x);
    assert.deepEqual(last, { foxxmaster: null, isFoxxmaster: false });
  });
});
