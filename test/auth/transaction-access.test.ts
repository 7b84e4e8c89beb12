import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

const ROOT_PASSWORD = 'root-secret';
const basic = (user: string, password: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Text that only a `_users` record (a password hash) or a `_tokens` record would carry. */
const LEAK = /scrypt|"salt"|authData|fingerprint/;

describe('transactions reach no collection the caller may not (attacks on _users, _tokens and grants)', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  const who = {
    root: basic('root', ROOT_PASSWORD),
    reader: basic('reader', 'r-pass'),
    // ro on _system, none on the collection `secret`
    blind: basic('blind', 'b-pass'),
    // ro on _system, a collection-level rw grant on _system/_tokens
    forger: basic('forger', 'f-pass'),
  };
  /** `_users`' id, as `GET /_api/collection` shows it to any user of `_system`. */
  let usersId = '';
  before(async () => {
    server = await startServer({ dataDir: tmp.dir, env: { KITSUNE_ROOT_PASSWORD: ROOT_PASSWORD } });
    const root = server.db();
    for (const [user, passwd] of [['reader', 'r-pass'], ['blind', 'b-pass'], ['forger', 'f-pass']] as const) {
      await root.createUser(user, passwd);
      await root.setUserAccessLevel(user, { database: '_system' }, 'ro');
    }
    const secret = await root.createCollection('secret');
    await secret.save({ _key: 's', v: 'classified' });
    await root.setUserAccessLevel('blind', { database: '_system', collection: 'secret' }, 'none');
    // a real token makes _system/_tokens exist, so a collection-level grant can name it
    await root.createAccessToken('reader', { name: 'ci' });
    await root.setUserAccessLevel('forger', { database: '_system', collection: '_tokens' }, 'rw');
    const listed = await rawRequest(server.endpoint, 'GET', '/_api/collection', undefined, basic('reader', 'r-pass'));
    usersId = (listed.json as { result: { name: string; id: string }[] }).result.find((c) => c.name === '_users')?.id ?? '';
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  /** A JavaScript transaction (`POST /_api/transaction`) as `auth`. */
  const jsTrx = (auth: Record<string, string>, action: string, collections: Record<string, string[]> = {}) =>
    rawRequest(server.endpoint, 'POST', '/_api/transaction', JSON.stringify({ collections, action }), auth);

  const refused = (r: { status: number; json: unknown; text: string }, what: string): void => {
    assert.equal(r.status, 403, `${what}: ${r.text}`);
    assert.equal((r.json as { errorNum?: number }).errorNum, 11, what);
    assert.doesNotMatch(r.text, LEAK, `${what} leaks nothing`);
  };

  const readers = (collection: string, key = 'root'): Record<string, string> => ({
    toArray: `function () { return require('@arangodb').db._collection('${collection}').toArray(); }`,
    document: `function () { const c = require('@arangodb').db._collection('${collection}'); return c.document('${key}'); }`,
    count: `function () { return require('@arangodb').db._collection('${collection}').count(); }`,
    query: `function () { return require('@arangodb').db._query('FOR u IN ${collection} RETURN u').toArray(); }`,
    computedQuery: `function () { return require('@arangodb').db._query("RETURN DOCUMENT(CONCAT('${collection.slice(0, 3)}', '${collection.slice(3)}/${key}'))").toArray(); }`,
    swallowed: `function () { const db = require('@arangodb').db; try { return db._query('FOR u IN ${collection} RETURN u').toArray(); } catch (e) { return db._query('FOR u IN ${collection} RETURN u').toArray(); } }`,
  });

  it('refuses password hashes to a ro user and to root through a JavaScript transaction', async () => {
    for (const [user, auth] of [['reader', who.reader], ['root', who.root]] as const) {
      for (const [how, action] of Object.entries(readers('_users'))) refused(await jsTrx(auth, action), `${user} ${how}`);
      refused(await jsTrx(auth, readers('_users')['toArray'] ?? '', { read: ['_users'] }), `${user} declaring _users`);
      // the action may catch the refusal, but it never gets the data
      const caught = await jsTrx(auth, `function () { try { return require('@arangodb').db._collection('_users').toArray(); } catch (e) { return e.errorNum; } }`);
      assert.deepEqual([caught.status, (caught.json as { result?: unknown }).result], [200, 11], caught.text);
    }
  });

  it('refuses _users named by its id (the check is on the collection, not on the word the caller wrote)', async () => {
    assert.notEqual(usersId, '');
    for (const auth of [who.reader, who.root]) {
      for (const query of ['FOR u IN @@c RETURN u', 'FOR u IN @@c LIMIT 1 RETURN u', 'RETURN COUNT(@@c)']) {
        refused(await rawRequest(server.endpoint, 'POST', '/_api/cursor', JSON.stringify({ query, bindVars: { '@c': usersId } }), auth), `cursor by id: ${query}`);
      }
      refused(await jsTrx(auth, `function () { return require('@arangodb').db._collection('${usersId}').toArray(); }`), 'JS by id');
      const q = `function () { return require('@arangodb').db._query('FOR u IN @@c RETURN u', { '@c': '${usersId}' }).toArray(); }`;
      refused(await jsTrx(auth, q), 'JS AQL by id');
    }
    const ro = server.db('_system', { username: 'reader', password: 'r-pass' });
    for (const db of [ro, server.db()]) {
      assert.deepEqual(await failure(() => db.beginTransaction({ read: [usersId] })), [403, 11], 'stream transaction declaring the id');
      assert.deepEqual(await failure(() => db.executeTransaction({ read: [usersId] }, 'function () { return 1; }')), [403, 11], 'JS transaction declaring the id');
    }
  });

  it('refuses a collection granted none through a JavaScript transaction and allows it with ro', async () => {
    for (const [how, action] of Object.entries(readers('secret', 's'))) {
      refused(await jsTrx(who.blind, action), `blind ${how}`);
      const ok = await jsTrx(who.reader, action);
      assert.equal(ok.status, 200, `reader ${how}: ${ok.text}`);
    }
    const ok = await jsTrx(who.reader, readers('secret')['toArray'] ?? '');
    assert.deepEqual((ok.json as { result: { v: string }[] }).result.map((d) => d.v), ['classified']);
    const blindDb = server.db('_system', { username: 'blind', password: 'b-pass' });
    assert.deepEqual(await failure(() => blindDb.executeTransaction({ read: 'secret' }, 'function () { return 1; }')), [403, 11], 'declared');
  });

  it('lets a ro user write nothing through a JavaScript transaction', async () => {
    const insert = (c: string): string => `function () { return require('@arangodb').db._collection('${c}').save({ _key: 'planted' }); }`;
    const undeclared = await jsTrx(who.reader, insert('secret'));
    assert.ok(undeclared.status === 403 || (undeclared.json as { errorNum?: number }).errorNum === 1652, `undeclared write: ${undeclared.text}`);
    refused(await jsTrx(who.reader, insert('secret'), { write: ['secret'] }), 'declared write');
    refused(await jsTrx(who.reader, `function () { return require('@arangodb').db._query('INSERT { _key: "planted" } INTO secret').toArray(); }`), 'AQL write');
    // root writes nothing into _users either (no planted user with a known hash)
    refused(await jsTrx(who.root, `function () { return require('@arangodb').db._query('INSERT { user: "evil" } INTO _users').toArray(); }`), 'root AQL write');
    assert.deepEqual(await failure(() => server.db().collection('secret').document('planted')), [404, 1202]);
  });

  it('refuses _users to stream transactions and to cursors inside them', async () => {
    const ro = server.db('_system', { username: 'reader', password: 'r-pass' });
    for (const db of [ro, server.db()]) {
      assert.deepEqual(await failure(() => db.beginTransaction({ read: ['_users'] })), [403, 11], 'declaring _users');
      const trx = await db.beginTransaction({ read: ['secret'] });
      try {
        assert.deepEqual(await failure(() => trx.step(() => db.query('FOR u IN _users RETURN u'))), [403, 11], 'cursor with x-arango-trx-id');
        assert.deepEqual(await failure(() => trx.step(() => db.collection('_users').document('root'))), [403, 11], 'document with x-arango-trx-id');
        const byId = { query: 'FOR u IN @@c RETURN u', bindVars: { '@c': usersId } };
        assert.deepEqual(await failure(() => trx.step(() => db.query(byId))), [403, 11], 'cursor by id with x-arango-trx-id');
      } finally {
        await trx.abort();
      }
    }
  });

  it('refuses the token store to every user and the forged root token to the world', async () => {
    const ro = server.db('_system', { username: 'reader', password: 'r-pass' });
    const forgerDb = server.db('_system', { username: 'forger', password: 'f-pass' });
    for (const db of [ro, forgerDb, server.db()]) {
      assert.deepEqual(await failure(() => db.query('FOR t IN _tokens RETURN t')), [403, 11], 'AQL');
      assert.deepEqual(await failure(() => db.collection('_tokens').count()), [403, 11], 'collection API');
    }
    for (const auth of [who.reader, who.forger, who.root]) {
      for (const [how, action] of Object.entries(readers('_tokens'))) refused(await jsTrx(auth, action), `_tokens ${how}`);
    }
    // the attack: plant sha256(myToken) → root, then log in with `bearer myToken`
    const myToken = 'v1.' + 'ab'.repeat(32);
    const planted = { _key: sha256(myToken), user: 'root', id: 1, name: 'x', valid_until: 0, created_at: 0, fingerprint: 'v1.x', active: true };
    assert.deepEqual(await failure(() => forgerDb.collection('_tokens').save(planted)), [403, 11], 'document API');
    assert.deepEqual(await failure(() => forgerDb.query({ query: 'INSERT @d INTO _tokens', bindVars: { d: planted } })), [403, 11], 'AQL');
    const action = `function (d) { return require('@arangodb').db._collection('_tokens').save(d); }`;
    const viaTrx = await rawRequest(server.endpoint, 'POST', '/_api/transaction', JSON.stringify({ collections: { write: ['_tokens'] }, action, params: planted }), who.forger);
    assert.equal(viaTrx.status, 403, viaTrx.text);
    const forged = new Database({ url: server.endpoint, auth: { token: myToken } });
    assert.deepEqual(await failure(() => forged.listUsers()), [401, 11], 'the forged bearer is no one');
    // the server's own token store still works: real tokens are made, listed and accepted
    const real = await server.db().createAccessToken('reader', { name: 'after' });
    assert.equal((await server.db().getAccessTokens('reader')).length, 2);
    const asReader = new Database({ url: server.endpoint, auth: { token: real.token } });
    assert.equal((await asReader.collection('secret').document('s'))['v'], 'classified');
  });
});
