// ArangoDB's module set as a service sees it: one row per @arangodb/* module and per bundled npm
// package (with its version), then the behaviour of @arangodb/foxx/graphql and @arangodb/tasks.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { rawRequest, startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

function service(manifest: Record<string, unknown>, files: Record<string, string>): Blob {
  const entries = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'svc', version: '1.0.0', engines: { arangodb: '^3.0.0' }, ...manifest })) }];
  for (const [name, text] of Object.entries(files)) entries.push({ name, data: Buffer.from(text) });
  return new Blob([craftZip(entries)], { type: 'application/zip' });
}

const ROUTER = `'use strict';\nconst router = require('@arangodb/foxx/router')();\nmodule.context.use(router);\n`;
const OAUTH = `require('@arangodb/foxx/oauth2')({ authEndpoint: 'https://idp.example/auth', tokenEndpoint: 'https://idp.example/token', clientId: 'c1', clientSecret: 's1' })`;
const GQL = `(() => { const g = require('graphql-sync'); const schema = new g.GraphQLSchema({ query: new g.GraphQLObjectType({ name: 'Q', fields: { a: { type: g.GraphQLString, resolve: () => 'b' } } }) }); return g.graphql(schema, '{ a }').data.a; })()`;

/** name → [expression evaluated in the service, expected JSON value]. */
const MODULES: ReadonlyArray<readonly [string, string, unknown]> = [
  // bundled npm packages at the versions a service gets
  ['joi 14.3.1', `require('joi').version`, '14.3.1'],
  ['lodash 4.17+', `/^4\\.1[78]\\./.test(require('lodash/package.json').version) && typeof require('lodash/get')`, 'function'],
  ['chai 3.5.0', `require('chai/package.json').version`, '3.5.0'],
  ['dedent 1.x', `require('dedent/package.json').version.split('.')[0]`, '1'],
  ['http-errors 2.x', `require('http-errors/package.json').version.split('.')[0]`, '2'],
  ['statuses 2.x', `require('statuses/package.json').version.split('.')[0]`, '2'],
  ['qs 6.x', `require('qs/package.json').version.split('.')[0]`, '6'],
  ['semver 7.x', `require('semver/package.json').version.split('.')[0]`, '7'],
  ['mime-types 3.x', `require('mime-types/package.json').version.split('.')[0]`, '3'],
  ['graphql-sync 0.10.1-sync', `require('graphql-sync/package.json').version`, '0.10.1-sync'],
  ['graphql-sync executes synchronously', GQL, 'b'],
  // @arangodb/* modules
  ['@arangodb', `typeof require('@arangodb').db._query`, 'function'],
  ['@arangodb/actions', `require('@arangodb/actions').HTTP_CREATED`, 201],
  ['@arangodb/foxx/router', `typeof require('@arangodb/foxx/router')().get`, 'function'],
  ['@arangodb/foxx/graphql', `typeof require('@arangodb/foxx/graphql')`, 'function'],
  ['@arangodb/foxx/oauth2 getAuthUrl', `${OAUTH}.getAuthUrl('https://me.example/cb', { state: 'z' })`, 'https://idp.example/auth?response_type=code&state=z&client_id=c1&redirect_uri=https%3A%2F%2Fme.example%2Fcb'],
  ['@arangodb/foxx/oauth2 methods', `['exchangeGrantToken', 'fetchActiveUser', 'refreshToken'].map((m) => typeof ${OAUTH}[m])`, ['function', 'function', 'function']],
  ['@arangodb/foxx/auth', `(() => { const a = require('@arangodb/foxx/auth')(); return a.verify(a.create('pw'), 'pw') && !a.verify(a.create('pw'), 'no'); })()`, true],
  ['@arangodb/foxx/sessions', `typeof require('@arangodb/foxx/sessions')`, 'function'],
  ['@arangodb/foxx/queues', `typeof require('@arangodb/foxx/queues').create`, 'function'],
  ['@arangodb/request', `typeof require('@arangodb/request').post`, 'function'],
  ['@arangodb/tasks', `['register', 'unregister', 'get'].map((m) => typeof require('@arangodb/tasks')[m])`, ['function', 'function', 'function']],
  ['@arangodb/locals', `require('@arangodb/locals').context.mount`, '/mods'],
  ['@arangodb/util', `require('@arangodb/util').format('%s-%d', 'a', 1)`, 'a-1'],
  ['@arangodb/crypto digests', `[require('@arangodb/crypto').sha256('a').slice(0, 8), require('@arangodb/crypto').sha1('a').slice(0, 8)]`, ['ca978112', '86f7e437']],
  ['@arangodb/crypto hmac', `require('@arangodb/crypto').hmac('k', 'm', 'sha256').slice(0, 8)`, 'b60090e3'],
  ['@arangodb/crypto nonces', `(() => { const c = require('@arangodb/crypto'); const n = c.createNonce(); return [c.checkAndMarkNonce(n), c.checkAndMarkNonce(n)]; })()`, [true, false]],
  ['@arangodb/crypto jwt', `(() => { const c = require('@arangodb/crypto'); return c.jwtDecode('key', c.jwtEncode('key', { a: 1 }, 'HS512')); })()`, { a: 1 }],
  ['@arangodb/crypto jwt algorithms', `[require('@arangodb/crypto').jwtCanonicalAlgorithmName('hs256'), require('@arangodb/crypto').uuidv4().length]`, ['HS256', 36]],
  ['console', `require('console') === console && ['log', 'warn', 'error', 'time', 'timeEnd', 'assert', 'group'].every((m) => typeof console[m] === 'function')`, true],
  // ArangoDB's fs subset: reads within the service folder only
  ['fs.exists / isFile / isDirectory', `(() => { const fs = require('fs'); return [fs.exists('manifest.json'), fs.isFile('index.js'), fs.isDirectory('lib'), fs.exists('/etc/passwd')]; })()`, [true, true, true, false]],
  ['fs.list / listTree', `(() => { const fs = require('fs'); return [fs.list('lib'), fs.listTree('lib')]; })()`, [['a.txt'], ['', 'a.txt']]],
  ['fs.read / readFileSync / readBuffer / read64', `(() => { const fs = require('fs'); return [fs.read('lib/a.txt'), fs.readFileSync('lib/a.txt', 'utf8'), fs.readBuffer('lib/a.txt').length, fs.read64('lib/a.txt'), fs.size('lib/a.txt')]; })()`, ['hi', 'hi', 2, 'aGk=', 2]],
  ['fs.join / normalize / pathSeparator', `(() => { const fs = require('fs'); return [fs.join('a', 'b'), fs.normalize('a/./b/../c'), fs.pathSeparator]; })()`, ['a/b', 'a/c', '/']],
  // limits on queued work: live timers per service
  ['timers capped at 1000 per service', `(() => { const ts = []; try { for (let i = 0; i < 1001; i++) ts.push(setTimeout(() => {}, 60000)); return 'all'; } catch (e) { return [ts.length, e.errorNum]; } finally { ts.forEach(clearTimeout); } })()`, [1000, 32]],
  ['cleared timers free their slots', `(() => { for (let i = 0; i < 2000; i++) clearTimeout(setTimeout(() => {}, 60000)); return true; })()`, true],
  ['fs refuses reads outside', `(() => { try { require('fs').read('/etc/passwd'); return 'read'; } catch (e) { return e.code; } })()`, 'EACCES'],
];

describe('Foxx module set (ArangoDB modules and bundled packages)', () => {
  const tmp = tempDir('kitsune-foxx-modules-');
  let server: ServerHandle;
  let db: Database;

  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    db = server.db();
    const routes = MODULES.map(([, expr], i) => `router.get('/m/${i}', (req, res) => res.json(${expr}));`).join('\n');
    await db.installService('/mods', service({ main: 'index.js' }, { 'index.js': `${ROUTER}${routes}`, 'lib/a.txt': 'hi' }));
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  MODULES.forEach(([name, , expected], i) => {
    it(`module: ${name}`, async () => {
      const res = await rawRequest(server.endpoint, 'GET', `/mods/m/${i}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, expected);
    });
  });

  it('@arangodb/foxx/graphql serves queries over GET and POST, refuses mutations over GET and bad queries', async () => {
    const main = `'use strict';
const g = require('graphql-sync');
const createGraphQLRouter = require('@arangodb/foxx/graphql');
const { db } = require('@arangodb');
const notes = module.context.collectionName('notes');
if (!db._collection(notes)) db._createDocumentCollection(notes);
const Note = new g.GraphQLObjectType({ name: 'Note', fields: { _key: { type: g.GraphQLString }, text: { type: g.GraphQLString } } });
const schema = new g.GraphQLSchema({
  query: new g.GraphQLObjectType({ name: 'Query', fields: {
    hello: { type: g.GraphQLString, args: { name: { type: g.GraphQLString } }, resolve: (_, args) => 'hello ' + (args.name || 'world') },
    note: { type: Note, args: { key: { type: g.GraphQLString } }, resolve: (_, args) => db._collection(notes).document(args.key) },
  } }),
  mutation: new g.GraphQLObjectType({ name: 'Mutation', fields: {
    addNote: { type: Note, args: { key: { type: g.GraphQLString }, text: { type: g.GraphQLString } }, resolve: (_, a) => { db._collection(notes).save({ _key: a.key, text: a.text }); return db._collection(notes).document(a.key); } },
  } }),
});
module.context.use('/graphql', createGraphQLRouter({ schema, graphiql: true }));`;
    await db.installService('/gql', service({ main: 'index.js' }, { 'index.js': main }));
    const get = await rawRequest(server.endpoint, 'GET', `/gql/graphql?query=${encodeURIComponent('{ hello(name: "foxx") }')}`);
    assert.equal(get.status, 200, get.text);
    assert.deepEqual(get.json, { data: { hello: 'hello foxx' } });
    const post = await rawRequest(server.endpoint, 'POST', '/gql/graphql', JSON.stringify({ query: 'mutation M($t: String) { addNote(key: "n1", text: $t) { _key text } }', variables: { t: 'written' } }), { 'content-type': 'application/json' });
    assert.equal(post.status, 200, post.text);
    assert.deepEqual(post.json, { data: { addNote: { _key: 'n1', text: 'written' } } });
    const raw = await rawRequest(server.endpoint, 'POST', '/gql/graphql', '{ note(key: "n1") { text } }', { 'content-type': 'application/graphql' });
    assert.deepEqual(raw.json, { data: { note: { text: 'written' } } });
    const mutationOverGet = await rawRequest(server.endpoint, 'GET', `/gql/graphql?query=${encodeURIComponent('mutation { addNote(key: "n2", text: "x") { _key } }')}`);
    assert.equal(mutationOverGet.status, 405);
    assert.equal((await db.collection('gql_notes').count()).count, 1, 'the mutation over GET did not run');
    const syntax = await rawRequest(server.endpoint, 'GET', `/gql/graphql?query=${encodeURIComponent('{ hello(')}`);
    assert.equal(syntax.status, 400);
    assert.match(JSON.stringify(syntax.json), /Syntax Error/);
    const unknownField = await rawRequest(server.endpoint, 'GET', `/gql/graphql?query=${encodeURIComponent('{ nope }')}`);
    assert.equal(unknownField.status, 400);
    assert.match(JSON.stringify(unknownField.json), /Cannot query field/);
    const missing = await rawRequest(server.endpoint, 'GET', '/gql/graphql', undefined, { accept: 'application/json' });
    assert.equal(missing.status, 400);
    const graphiql = await rawRequest(server.endpoint, 'GET', '/gql/graphql', undefined, { accept: 'text/html' });
    assert.equal(graphiql.status, 200);
    assert.match(graphiql.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('@arangodb/tasks: periodic tasks run in their service, are listed, bounded, unregistered, and stop at uninstall', async () => {
    const ticks = await db.createCollection('task_ticks');
    const main = `${ROUTER}const tasks = require('@arangodb/tasks');
router.post('/start', (req, res) => res.json(tasks.register({ id: 'tick-' + req.queryParams.n, name: 'ticker', period: 0.05, params: { n: req.queryParams.n },
  command: function (params) { require('@arangodb').db._collection('task_ticks').save({ n: params.n }); } })));
router.post('/string', (req, res) => res.json(tasks.register({ offset: 0, params: { n: 's' }, command: "require('@arangodb').db._collection('task_ticks').save({ n: params.n });" })));
router.get('/list', (req, res) => res.json(tasks.get().map((t) => t.id).sort()));
router.delete('/:id', (req, res) => { try { res.json(tasks.unregister(req.pathParams.id)); } catch (e) { res.status(e.code || 500).json({ errorNum: e.errorNum }); } });
router.post('/flood', (req, res) => { let n = 0; try { for (let i = 0; i < 100; i++) { tasks.register({ period: 60, command: function () {} }); n++; } res.json(n); } catch (e) { res.json({ n, errorNum: e.errorNum }); } });`;
    await db.installService('/tasker', service({ main: 'index.js' }, { 'index.js': main }));
    const started = await rawRequest(server.endpoint, 'POST', '/tasker/start?n=1');
    assert.equal(started.status, 200, started.text);
    assert.equal((started.json as { type: string }).type, 'periodic');
    await waitFor(async () => (await ticks.count()).count >= 3, { timeoutMs: 10_000, what: 'the periodic task to run' });
    const doc = (await (await db.query('FOR t IN task_ticks LIMIT 1 RETURN t')).next()) as { n: string };
    assert.equal(doc.n, '1');
    await rawRequest(server.endpoint, 'POST', '/tasker/string');
    await waitFor(async () => (await db.query('FOR t IN task_ticks FILTER t.n == "s" RETURN 1')).all().then((l) => l.length === 1), { timeoutMs: 10_000, what: 'the one-shot string task to run' });
    assert.deepEqual((await rawRequest(server.endpoint, 'GET', '/tasker/list')).json, ['tick-1']);
    const dup = await rawRequest(server.endpoint, 'POST', '/tasker/start?n=1');
    assert.equal(dup.status, 409);
    const flood = await rawRequest(server.endpoint, 'POST', '/tasker/flood');
    assert.deepEqual(flood.json, { n: 63, errorNum: 32 }, 'at most 64 tasks per service');
    assert.deepEqual((await rawRequest(server.endpoint, 'DELETE', '/tasker/nope')).json, { errorNum: 1852 });
    assert.equal((await rawRequest(server.endpoint, 'DELETE', '/tasker/tick-1')).json, true);
    const afterUnregister = (await ticks.count()).count;
    let deadline = Date.now() + 400;
    while (Date.now() < deadline) assert.ok((await ticks.count()).count <= afterUnregister + 1, 'an unregistered task stops');
    await rawRequest(server.endpoint, 'POST', '/tasker/start?n=2');
    await waitFor(async () => (await ticks.count()).count > afterUnregister + 2, { timeoutMs: 10_000, what: 'the second task to run' });
    await db.uninstallService('/tasker');
    const afterUninstall = (await ticks.count()).count;
    deadline = Date.now() + 500;
    while (Date.now() < deadline) assert.equal((await ticks.count()).count, afterUninstall, 'tasks stop at uninstall');
  });
});
