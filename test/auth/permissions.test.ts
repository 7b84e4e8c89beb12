import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { isArangoError } from 'arangojs/errors';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

async function status(fn: () => Promise<unknown>): Promise<[number | undefined, number | undefined]> {
  try {
    await fn();
    return [200, undefined];
  } catch (err) {
    if (isArangoError(err)) return [err.code, err.errorNum];
    throw err;
  }
}

describe('users, permissions and authentication', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, env: { KITSUNE_ROOT_PASSWORD: 'secret' } });
    const root = server.db();
    await root.createCollection('data');
    await root.createUser('reader', 'r-pass');
    await root.setUserAccessLevel('reader', { database: '_system' }, 'ro');
    await root.createUser('writer', { passwd: 'w-pass', extra: { team: 'a' } });
    await root.setUserAccessLevel('writer', { database: '_system' }, 'rw');
    await root.createUser('nobody', 'n-pass');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('refuses requests without or with wrong credentials (401)', async () => {
    const anon = await rawRequest(server.endpoint, 'GET', '/_api/collection', undefined, { authorization: '' });
    assert.equal(anon.status, 401);
    assert.deepEqual(anon.json, { code: 401, error: true, errorMessage: 'not authorized to execute this request', errorNum: 11 });
    const wrong = new Database({ url: server.endpoint, auth: { username: 'root', password: 'nope' } });
    assert.deepEqual(await status(() => wrong.collections()), [401, 11]);
  });

  it('lets a read-only user read but not write (403)', async () => {
    const ro = server.db('_system', { username: 'reader', password: 'r-pass' });
    await server.db().collection('data').save({ _key: 'd1' });
    assert.equal((await ro.collection('data').document('d1'))._key, 'd1');
    assert.deepEqual(await status(() => ro.collection('data').save({ x: 1 })), [403, 11]);
    assert.deepEqual(await status(() => ro.createCollection('mine')), [403, 11]);
  });

  it('refuses a user without access to the database', async () => {
    const none = server.db('_system', { username: 'nobody', password: 'n-pass' });
    assert.deepEqual(await status(() => none.collection('data').document('d1')), [401, 11]);
  });

  it('applies collection-level grants over the database level', async () => {
    const root = server.db();
    await root.createCollection('locked');
    await root.setUserAccessLevel('writer', { database: '_system', collection: 'locked' }, 'ro');
    const w = server.db('_system', { username: 'writer', password: 'w-pass' });
    await w.collection('data').save({ by: 'writer' });
    assert.deepEqual(await status(() => w.collection('locked').save({})), [403, 11]);
    assert.equal(await root.getUserAccessLevel('writer', { database: '_system', collection: 'locked' }), 'ro');
    await root.clearUserAccessLevel('writer', { database: '_system', collection: 'locked' });
    await w.collection('locked').save({});
  });

  it('issues JWTs through /_open/auth and accepts them; wrong password is 401', async () => {
    const db = new Database({ url: server.endpoint });
    const token = await db.login('writer', 'w-pass');
    assert.ok(token.length > 20);
    assert.ok((await db.collection('data').count()).count >= 1);
    assert.deepEqual(await status(() => new Database({ url: server.endpoint }).login('writer', 'bad')), [401, 401]);
  });

  it('creates a database with users who get rw on it', async () => {
    const root = server.db();
    await root.createDatabase('teamdb', { users: [{ username: 'teamuser', passwd: 't-pass' }] });
    const t = server.db('teamdb', { username: 'teamuser', password: 't-pass' });
    await t.createCollection('things');
    await t.collection('things').save({ ok: true });
    const tsys = server.db('_system', { username: 'teamuser', password: 't-pass' });
    assert.deepEqual(await status(() => tsys.collection('data').document('d1')), [401, 11]);
    assert.deepEqual(await root.getUserAccessLevel('teamuser', { database: 'teamdb' }), 'rw');
  });

  it('manages users: get, update password, deactivate, remove', async () => {
    const root = server.db();
    assert.deepEqual((await root.getUser('writer')).extra, { team: 'a' });
    await root.updateUser('writer', { passwd: 'new-pass' });
    assert.deepEqual(await status(() => server.db('_system', { username: 'writer', password: 'w-pass' }).collections()), [401, 11]);
    await server.db('_system', { username: 'writer', password: 'new-pass' }).collections();
    await root.updateUser('writer', { active: false });
    assert.deepEqual(await status(() => server.db('_system', { username: 'writer', password: 'new-pass' }).collections()), [401, 11]);
    await root.removeUser('writer');
    assert.deepEqual(await status(() => root.getUser('writer')), [404, 1703]);
    assert.deepEqual(await status(() => root.createUser('reader', 'x')), [409, 1702]);
    const users = (await root.listUsers()).map((u) => u.user).sort();
    assert.ok(users.includes('root') && users.includes('reader'));
  });

  it('keeps user management for admins only', async () => {
    const ro = server.db('_system', { username: 'reader', password: 'r-pass' });
    assert.deepEqual(await status(() => ro.createUser('evil', 'x')), [403, 11]);
    assert.deepEqual(await status(() => ro.setUserAccessLevel('reader', { database: '_system' }, 'rw')), [403, 11]);
    assert.equal((await ro.getUser('reader')).user, 'reader');
  });
});
