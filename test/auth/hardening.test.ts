import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Database, aql } from 'arangojs';
import { signJwt } from '../../src/auth/index.ts';
import { failure } from '../harness/arango-failure.ts';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

const ROOT_PASSWORD = 'root-secret';

describe('authentication hardening (attacks on users and tokens)', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, env: { KITSUNE_ROOT_PASSWORD: ROOT_PASSWORD } });
    const root = server.db();
    await root.createUser('reader', 'r-pass');
    await root.setUserAccessLevel('reader', { database: '_system' }, 'ro');
    await root.createCollection('open');
    await root.collection('open').save({ _key: 'k', v: 1 });
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('gives no user, root included, access to the password hashes in _users', async () => {
    const ro = server.db('_system', { username: 'reader', password: 'r-pass' });
    assert.equal((await ro.collection('open').document('k'))['v'], 1, 'ro reads ordinary collections');
    for (const db of [ro, server.db()]) {
      assert.deepEqual(await failure(() => db.collection('_users').document('reader')), [403, 11], 'document API');
      assert.deepEqual(await failure(() => db.collection('_users').count()), [403, 11], 'collection API');
      assert.deepEqual(await failure(() => db.query('FOR u IN _users RETURN u')), [403, 11], 'AQL FOR');
      assert.deepEqual(await failure(() => db.query(aql`RETURN DOCUMENT(CONCAT('_us', 'ers/', ${'x'}))`)), [403, 11], 'AQL DOCUMENT()');
      assert.deepEqual(await failure(() => db.query('FOR b IN _appbundles RETURN b')), [403, 11], '_appbundles');
    }
    // writing is refused too: nobody can plant a user with a known hash
    assert.deepEqual(await failure(() => server.db().collection('_users').save({ user: 'evil', active: true })), [403, 11]);
    assert.deepEqual(await failure(() => server.db().query('INSERT { user: "evil" } INTO _users')), [403, 11]);
    // users stay manageable through /_api/user, which never returns a hash
    const users = await server.db().listUsers();
    assert.ok(users.some((u) => u.user === 'reader'));
    assert.ok(!JSON.stringify(users).includes('scrypt'));
  });

  it('refuses an expired JWT at once, even right after it was accepted', async () => {
    const secret = fs.readFileSync(path.join(tmp.dir, 'jwt-secret'), 'utf8').trim();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = signJwt({ iss: 'arangodb', iat: exp - 2, exp, preferred_username: 'reader' }, secret);
    const db = new Database({ url: server.endpoint, auth: { token } });
    assert.equal((await db.collection('open').document('k'))['v'], 1, 'accepted while valid (and cached)');
    // wait for the token's expiry itself (the clock), then the very same header must fail
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 + 50 - Date.now())));
    assert.deepEqual(await failure(() => db.collection('open').document('k')), [401, 11]);
    const superuser = signJwt({ iss: 'arangodb', iat: exp - 2, exp, server_id: 'x' }, secret);
    const raw = await rawRequest(server.endpoint, 'GET', '/_api/collection', undefined, { authorization: `bearer ${superuser}` });
    assert.equal(raw.status, 401, 'an expired superuser token is refused as well');
  });

  it('answers unknown and known users in the same time (no enumeration)', async () => {
    const timeWrong = async (user: string): Promise<number> => {
      const t0 = performance.now();
      const r = await rawRequest(server.endpoint, 'GET', '/_api/version', undefined, { authorization: `Basic ${Buffer.from(`${user}:wrong`).toString('base64')}` });
      assert.equal(r.status, 401);
      return performance.now() - t0;
    };
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await timeWrong('reader'));
      unknown.push(await timeWrong(`ghost-${i}`));
    }
    assert.ok(median(unknown) > 0.5 * median(known), `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`);
  });

  // last: the flood exhausts root's failed-login budget from this address for the rest of the window
  it('keeps a logged-in client fast while 64 clients flood wrong root passwords', async () => {
    const floodMs = Number(process.env['KITSUNE_FLOOD_MS'] ?? 3000);
    const jwtDb = new Database({ url: server.endpoint });
    await jwtDb.login('reader', 'r-pass');
    let stop = false;
    let attempts = 0;
    const statuses = new Set<number>();
    const flooder = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        // mostly root, sometimes fresh user names (each of those costs a real hash)
        const user = i % 4 === 3 ? `guess-${n}-${i}` : 'root';
        const r = await fetch(`${server.endpoint}/_api/version`, { headers: { authorization: `Basic ${Buffer.from(`${user}:guess-${n}-${i}`).toString('base64')}` } });
        await r.arrayBuffer();
        statuses.add(r.status);
        attempts++;
      }
    };
    const flood = Array.from({ length: 64 }, (_, n) => flooder(n));
    const latencies: number[] = [];
    const until = Date.now() + floodMs;
    while (Date.now() < until) {
      const t0 = performance.now();
      assert.equal((await jwtDb.collection('open').document('k'))['v'], 1);
      latencies.push(performance.now() - t0);
    }
    stop = true;
    await Promise.all(flood);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.POSITIVE_INFINITY;
    process.stdout.write(`# logged-in client during the password flood: p99 ${p99.toFixed(1)} ms over ${latencies.length} requests, ${attempts} guesses\n`);
    assert.ok([...statuses].every((s) => s === 401 || s === 503), `flood answers: ${[...statuses].join(',')}`);
    // the 50 ms target is measured by the benchmark on a calm machine; here a generous margin
    assert.ok(p99 < 250, `p99 ${p99.toFixed(1)} ms`);
  });
});
