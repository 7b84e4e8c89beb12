import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';

describe('access tokens (/_api/token) through arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    await db.createUser('tok', { passwd: 'secret' });
    await db.setUserAccessLevel('tok', { database: '_system' }, 'ro');
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  const withToken = (token: string): Database => new Database({ url: server.endpoint, auth: { token } });

  it('creates a token usable as a bearer credential, lists it without the secret, deletes it (32-access-tokens)', async () => {
    const created = await db.createAccessToken('tok', { name: 'ci', valid_until: Math.floor(Date.now() / 1000) + 3600 });
    assert.equal(created.name, 'ci');
    assert.equal(created.active, true);
    assert.equal(typeof created.token, 'string');
    assert.equal(typeof created.id, 'number');
    const me = withToken(created.token);
    assert.equal((await me.version()).server, 'arango');
    const list = await db.getAccessTokens('tok');
    assert.equal(list.length, 1);
    assert.equal(list[0]?.name, 'ci');
    assert.equal('token' in (list[0] ?? {}), false);
    assert.deepEqual(await failure(() => db.createAccessToken('tok', { name: 'ci' })), [409, 1207]);
    await db.deleteAccessToken('tok', created.id);
    assert.deepEqual(await db.getAccessTokens('tok'), []);
    await assert.rejects(me.version(), (err: { code?: number }) => err.code === 401);
  });

  it('refuses an expired token and keeps Basic and JWT working', async () => {
    const old = await db.createAccessToken('tok', { name: 'old', valid_until: Math.floor(Date.now() / 1000) - 10 });
    assert.equal(old.active, false);
    await assert.rejects(withToken(old.token).version(), (err: { code?: number }) => err.code === 401);
    const basic = server.db('_system', { username: 'tok', password: 'secret' });
    assert.equal((await basic.version()).server, 'arango');
    const jwt = new Database({ url: server.endpoint });
    await jwt.login('tok', 'secret');
    assert.equal((await jwt.version()).server, 'arango');
  });

  it('works as a password: Basic auth and login with the token owner\'s name or an empty one, never another user\'s', async () => {
    const created = await db.createAccessToken('tok', { name: 'as-password' });
    for (const username of ['', 'tok']) {
      const basic = server.db('_system', { username, password: created.token });
      assert.equal((await basic.version()).server, 'arango');
      assert.deepEqual(await failure(() => basic.createCollection(`nope${username}`)), [403, 11], 'the token acts as its ro owner');
      const viaLogin = new Database({ url: server.endpoint });
      const jwt = await viaLogin.login(username, created.token);
      assert.equal(typeof jwt, 'string');
      assert.equal((await viaLogin.version()).server, 'arango');
    }
    assert.deepEqual(await failure(() => server.db('_system', { username: 'root', password: created.token }).version()), [401, 11]);
    assert.deepEqual(await failure(() => new Database({ url: server.endpoint }).login('root', created.token)), [401, 401]);
    // deleting the token ends Basic auth with it at once (no cached success)
    const basic = server.db('_system', { username: '', password: created.token });
    await basic.version();
    await db.deleteAccessToken('tok', created.id);
    assert.deepEqual(await failure(() => basic.version()), [401, 11]);
  });

  it('lets a user manage only its own tokens', async () => {
    const basic = server.db('_system', { username: 'tok', password: 'secret' });
    await basic.createAccessToken('tok', { name: 'mine' });
    assert.deepEqual(await failure(() => basic.getAccessTokens('root')), [403, 11]);
  });
});
