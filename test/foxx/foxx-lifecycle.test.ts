import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { rawRequest, startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';
import { fixture, fixtureZip, listTree } from './foxx-helpers.ts';

async function errorOf(p: Promise<unknown>): Promise<{ code: number; errorNum: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; errorNum?: number; message?: string };
    return { code: e.code ?? 0, errorNum: e.errorNum ?? 0, message: e.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

describe('Foxx services through arangojs (single server)', () => {
  const tmp = tempDir('kitsune-foxx-');
  let server: ServerHandle;
  let db: Database;

  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data'), args: ['--foxx.request-timeout', '2000'] });
    db = server.db();
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const get = (p: string) => rawRequest(server.endpoint, 'GET', p);

  it('installs from a zip and serves its routes at /_db/<db>/<mount> and /<mount>', async () => {
    const info = await db.installService('/hello', (await fixtureZip('hello')).blob);
    assert.equal(info.mount, '/hello');
    assert.equal(info.name, 'hello');
    assert.match(info.checksum, /^[0-9a-f]+$/);
    assert.deepEqual((await get('/hello/hello')).json, { hello: 'world' });
    assert.deepEqual((await get('/_db/_system/hello/echo/bob?times=3')).json, { name: 'bob', times: 3 });
    const bad = await get('/hello/echo/b');
    assert.equal(bad.status, 404);
    const post = await rawRequest(server.endpoint, 'POST', '/hello/echo', JSON.stringify({ name: 'x' }), { 'content-type': 'application/json' });
    assert.equal(post.status, 201);
    assert.deepEqual(post.json, { name: 'x' });
    const list = await db.listServices();
    assert.deepEqual(list.map((s) => s.mount), ['/hello']);
  });

  it('refuses a second install at the same mount (409) and invalid mounts (400)', async () => {
    const conflict = await errorOf(db.installService('/hello', (await fixtureZip('hello')).blob));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.errorNum, 3011);
    const invalid = await errorOf(db.installService('/_reserved', (await fixtureZip('hello')).blob));
    assert.equal(invalid.errorNum, 3007);
    const missing = await errorOf(db.getService('/nope'));
    assert.equal(missing.code, 400);
    assert.equal(missing.errorNum, 3009);
  });

  it('installs a single JS file and a server-side directory', async () => {
    const js = "const r = require('@arangodb/foxx/router')(); module.context.use(r); r.get('/', (req, res) => res.send({ single: true }));";
    await db.installService('/single', new Blob([js], { type: 'application/javascript' }));
    assert.deepEqual((await get('/single')).json, { single: true });
    const info = await db.installService('/fromdir', fixture('hello'));
    assert.equal(info.name, 'hello');
    assert.deepEqual((await get('/fromdir/hello')).json, { hello: 'world' });
    await db.uninstallService('/single');
    await db.uninstallService('/fromdir');
  });

  it('runs setup on install and teardown on uninstall unless disabled', async () => {
    await db.installService('/crud', (await fixtureZip('crud')).blob);
    assert.ok(await db.collection('crud_items').exists());
    const created = await rawRequest(server.endpoint, 'POST', '/crud/items', JSON.stringify({ name: 'one', value: 1 }), { 'content-type': 'application/json' });
    assert.equal(created.status, 201);
    const key = (created.json as { _key: string })._key;
    assert.deepEqual(((await get(`/crud/items/${key}`)).json as { name: string }).name, 'one');
    assert.equal((await get('/crud/items/missing')).status, 404);
    await db.uninstallService('/crud', { teardown: false });
    assert.ok(await db.collection('crud_items').exists(), 'no teardown keeps the collection');
    await db.installService('/crud', (await fixtureZip('crud')).blob);
    await db.uninstallService('/crud');
    assert.equal(await db.collection('crud_items').exists(), false, 'teardown dropped the collection');
    assert.equal((await get('/crud/items')).status, 404);
  });

  it('reports configuration and dependency warnings; replace discards options, upgrade keeps them', async () => {
    const zip = (await fixtureZip('configurable')).blob;
    await db.installService('/cfg', zip, { configuration: { maxItems: 5, greeting: 'Hi' }, dependencies: { greeter: '/hello' } });
    const cfg = await db.getServiceConfiguration('/cfg', true);
    assert.equal(cfg.maxItems, 5);
    assert.equal(cfg.greeting, 'Hi');
    const full = await db.getServiceConfiguration('/cfg');
    assert.equal(full.maxItems?.title, 'Max Items');
    assert.equal(full.maxItems?.current, 5);
    const patched = (await db.updateServiceConfiguration('/cfg', { ratio: 'abc', bogus: 1 }, true)) as unknown as { values: unknown; warnings: Record<string, string> };
    assert.equal(patched.warnings.ratio, 'must be a number');
    assert.equal(patched.warnings.bogus, 'is not allowed');
    const deps = (await db.replaceServiceDependencies('/cfg', { greeter: 42 } as unknown as Record<string, string>, true)) as unknown as { warnings: Record<string, string> };
    assert.equal(deps.warnings.greeter, 'must be a string');
    await db.updateServiceDependencies('/cfg', { greeter: '/hello' });
    assert.deepEqual((await get('/cfg/greeter')).json, { hasGreeter: true });
    assert.equal(((await get('/cfg/config')).json as { greeting: string }).greeting, 'Hi');

    await db.upgradeService('/cfg', zip);
    assert.equal((await db.getServiceConfiguration('/cfg', true)).greeting, 'Hi', 'upgrade keeps configuration');
    await db.replaceService('/cfg', zip);
    const after = await db.getServiceConfiguration('/cfg', true);
    assert.equal(after.greeting, 'Hello', 'replace discards configuration (default again)');
    const unconfigured = await get('/cfg/config');
    assert.equal(unconfigured.status, 503, 'required maxItems missing → needs configuration');
    await db.uninstallService('/cfg');
  });

  it('runs scripts with arguments and lists them', async () => {
    await db.installService('/scripts', (await fixtureZip('scripts')).blob);
    assert.deepEqual(await db.getServiceScripts('/scripts'), { echo: 'Echo', 'send-mail': 'Send Mail' });
    assert.deepEqual(await db.runServiceScript('/scripts', 'echo', { to: 'x' }), [{ to: 'x' }]);
    assert.deepEqual(await db.runServiceScript('/scripts', 'send-mail', undefined), { sent: 0 });
    const unknown = await errorOf(db.runServiceScript('/scripts', 'nope', {}));
    assert.equal(unknown.errorNum, 3016);
    await db.uninstallService('/scripts');
  });

  it('runs service tests with every reporter', async () => {
    const def = (await db.runServiceTests('/hello', {})) as { stats: { passes: number; failures: number } };
    assert.equal(def.stats.passes, 1);
    assert.equal(def.stats.failures, 0);
    const suite = (await db.runServiceTests('/hello', { reporter: 'suite' })) as { suites: unknown[] };
    assert.equal(suite.suites.length, 1);
    const stream = (await db.runServiceTests('/hello', { reporter: 'stream', idiomatic: false })) as unknown[][];
    assert.equal(stream[0]?.[0], 'start');
    const ldjson = (await db.runServiceTests('/hello', { reporter: 'stream', idiomatic: true })) as unknown as string;
    assert.match(String(ldjson), /^\["start",\{"total":1\}\]\r\n/);
    const tap = (await db.runServiceTests('/hello', { reporter: 'tap', idiomatic: true })) as string;
    assert.match(tap, /^1\.\.1\nok 1 hello adds numbers/);
    const xunit = (await db.runServiceTests('/hello', { reporter: 'xunit', idiomatic: true })) as string;
    assert.match(xunit, /<testsuite[^>]*tests="1"/);
  });

  it('documents routes with swagger and serves readme and the stored bundle', async () => {
    const swagger = (await db.getServiceDocumentation('/hello')) as unknown as { swagger: string; basePath: string; paths: Record<string, unknown> };
    assert.equal(swagger.swagger, '2.0');
    assert.equal(swagger.basePath, '/_db/_system/hello');
    assert.ok(swagger.paths['/hello']);
    assert.ok(swagger.paths['/echo/{name}']);
    assert.match((await db.getServiceReadme('/hello')) ?? '', /minimal Foxx service/);
    const blob = (await db.downloadService('/hello')) as unknown as Blob;
    const downloaded = Buffer.from(await blob.arrayBuffer());
    assert.deepEqual(downloaded, (await fixtureZip('hello')).bytes);
  });

  it('development mode serves edits on disk, and turning it off stores the edited bundle', async () => {
    await db.installService('/dev', (await fixtureZip('hello')).blob);
    const info = await db.setServiceDevelopmentMode('/dev', true);
    assert.equal(info.development, true);
    const main = path.join(info.path, 'index.js');
    fs.appendFileSync(main, "\nrouter.get('/added', (req, res) => res.send({ added: true }));\n");
    assert.deepEqual((await get('/dev/added')).json, { added: true });
    const prod = await db.setServiceDevelopmentMode('/dev', false);
    assert.equal(prod.development, false);
    assert.notEqual(prod.checksum, info.checksum);
    assert.deepEqual((await get('/dev/added')).json, { added: true });
    await db.uninstallService('/dev');
  });

  it('marks a service with a throwing main broken (forced), and replace fixes it', async () => {
    const refused = await errorOf(db.installService('/broken', (await fixtureZip('broken-main')).blob));
    assert.equal(refused.errorNum, 3103);
    assert.match(refused.message, /broken on purpose/);
    assert.equal((await get('/broken')).status, 404, 'nothing installed');
    await db.replaceService('/broken', (await fixtureZip('broken-main')).blob, { force: true });
    const res = await get('/broken/anything');
    assert.equal(res.status, 503);
    assert.match(res.text, /broken on purpose/);
    const info = (await db.getService('/broken')) as unknown as { broken?: boolean; error?: string };
    assert.equal(info.broken, true);
    assert.match(info.error ?? '', /broken on purpose/);
    assert.ok(!(await db.listServices()).some((s) => s.mount === '/broken'));
    await db.replaceService('/broken', (await fixtureZip('hello')).blob);
    assert.deepEqual((await get('/broken/hello')).json, { hello: 'world' });
    await db.uninstallService('/broken');
  });

  it('a failed upgrade leaves the old version serving', async () => {
    const before = await db.getService('/hello');
    const failed = await errorOf(db.upgradeService('/hello', (await fixtureZip('broken-main')).blob));
    assert.equal(failed.errorNum, 3103);
    assert.deepEqual((await get('/hello/hello')).json, { hello: 'world' });
    assert.equal((await db.getService('/hello')).checksum, before.checksum);
  });

  it('refuses hostile bundles with 400 and writes nothing outside its temp dir', async () => {
    const { craftZip } = await import('./zip-craft.ts');
    const foxxDir = path.join(server.dataDir, 'foxx');
    const snapshot = listTree(foxxDir);
    const manifest = { name: 'manifest.json', data: Buffer.from('{"main":"index.js"}') };
    const index = { name: 'index.js', data: Buffer.from('') };
    const hostile = [
      craftZip([manifest, index, { name: '../escape.js', data: Buffer.from('x') }]),
      craftZip([manifest, index, { name: '/tmp/abs.js', data: Buffer.from('x') }]),
      craftZip([manifest, index, { name: 'link', data: Buffer.from('/etc/passwd'), method: 0, externalAttributes: (0o120777 << 16) >>> 0 }]),
      craftZip([manifest, index, { name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]),
      Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 1)]),
    ];
    for (const zip of hostile) {
      const res = await rawRequest(server.endpoint, 'POST', '/_api/foxx?mount=/hostile', zip, { 'content-type': 'application/zip' });
      assert.equal(res.status, 400, res.text);
      assert.equal((res.json as { errorNum: number }).errorNum, 3015);
    }
    assert.deepEqual(listTree(foxxDir), snapshot);
    assert.equal(fs.existsSync(path.join(server.dataDir, 'escape.js')), false);
    assert.equal((await get('/hostile')).status, 404);
  });

  it('heals a service whose folder was deleted on disk', async () => {
    const info = await db.getService('/hello');
    fs.rmSync(info.path, { recursive: true, force: true });
    const res = await rawRequest(server.endpoint, 'POST', '/_api/foxx/_local/heal');
    assert.equal(res.status, 204, res.text);
    assert.ok(fs.existsSync(path.join(info.path, 'manifest.json')));
    assert.deepEqual((await get('/hello/hello')).json, { hello: 'world' });
  });

  it('answers async handlers and reports their errors with the message', async () => {
    await db.installService('/async', (await fixtureZip('async-handler')).blob);
    assert.deepEqual((await get('/async/later')).json, { value: 'done' });
    const failed = await get('/async/fail');
    assert.equal(failed.status, 500);
    assert.match(failed.text, /async failure/);
  });

  it('stops a runaway handler after the request timeout while other services answer', async () => {
    await db.installService('/runaway', (await fixtureZip('runaway')).blob);
    const started = Date.now();
    const spin = get('/runaway/spin');
    const other = await get('/hello/hello');
    assert.equal(other.status, 200, 'another service answers during the spin');
    const res = await spin;
    assert.equal(res.status, 500);
    assert.match(res.text, /timed out/);
    assert.ok(Date.now() - started >= 1900);
    await waitFor(async () => (await get('/runaway/ok')).status === 200, { timeoutMs: 10_000, what: 'replacement worker serves' });
    assert.equal((await get('/runaway/ok')).text, 'still alive');
  });

  it('requires admin rights on the database for the management API', async () => {
    await db.createUser?.('reader', { passwd: 'pw' }).catch(() => undefined);
    const users = db.route('/_api/user');
    await users.put('reader/database/_system', { grant: 'ro' }).catch(() => undefined);
    const res = await fetch(`${server.endpoint}/_api/foxx`, { headers: { authorization: `Basic ${Buffer.from('reader:pw').toString('base64')}` } });
    assert.equal(res.status, 403);
  });
});

describe('Foxx synchronous db API reads its own writes', () => {
  const tmp = tempDir('kitsune-foxx-rw-');
  let server: ServerHandle;
  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('sees an update in the same handler and across requests', async () => {
    const js = `const { db } = require('@arangodb');
const r = require('@arangodb/foxx/router')(); module.context.use(r);
r.post('/rw', (req, res) => {
  const c = db._collection('rw') || db._createDocumentCollection('rw');
  const meta = c.save({ n: 1 });
  c.update(meta._key, { n: 2 });
  const first = c.document(meta._key).n;
  c.replace(meta._key, { n: 3 });
  res.json({ key: meta._key, first, second: c.document(meta._key).n, count: c.count(), exists: Boolean(c.exists(meta._key)) });
});
r.get('/rw/:key', (req, res) => res.json(db._collection('rw').document(req.pathParams.key)));`;
    await server.db().installService('/rw', new Blob([js], { type: 'application/javascript' }));
    const res = await rawRequest(server.endpoint, 'POST', '/rw/rw');
    const body = res.json as { key: string; first: number; second: number; count: number; exists: boolean };
    assert.deepEqual({ first: body.first, second: body.second, count: body.count, exists: body.exists }, { first: 2, second: 3, count: 1, exists: true });
    assert.equal(((await rawRequest(server.endpoint, 'GET', `/rw/rw/${body.key}`)).json as { n: number }).n, 3);
    await server.db().collection('rw').update(body.key, { n: 4 });
    assert.equal(((await rawRequest(server.endpoint, 'GET', `/rw/rw/${body.key}`)).json as { n: number }).n, 4);
    assert.equal((await server.db().collection('rw').document(body.key)).n, 4);
  });
});
