// Services written for ArangoDB 3.x run unchanged: the npm packages ArangoDB ships, at its
// versions and in the service's own realm, the @arangodb/* modules, and response behaviour.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

function service(manifest: Record<string, unknown>, files: Record<string, string>): Blob {
  const entries = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'svc', version: '1.0.0', engines: { arangodb: '^3.0.0' }, ...manifest })) }];
  for (const [name, text] of Object.entries(files)) entries.push({ name, data: Buffer.from(text) });
  return new Blob([craftZip(entries)], { type: 'application/zip' });
}

const ROUTER = `'use strict';\nconst router = require('@arangodb/foxx/router')();\nmodule.context.use(router);\nconst joi = require('joi');\n`;

/** name → [expression evaluated in the service, expected JSON value]. */
const MODULES: ReadonlyArray<readonly [string, string, unknown]> = [
  ['joi 14.3.1', `joi.version`, '14.3.1'],
  ['joi regex with the service RegExp', `joi.string().regex(/^a+$/).validate('aaa').error === null`, true],
  ['lodash 4.17+', `/^4\\.1[78]\\./.test(require('lodash').VERSION)`, true],
  ['chai 3.5', `require('chai').version`, '3.5.0'],
  ['chai expect', `(() => { require('chai').expect([1]).to.deep.equal([1]); return true; })()`, true],
  ['dedent', `require('dedent')\`\n    a\n      b\``, 'a\n  b'],
  ['http-errors', `new (require('http-errors').NotFound)().status`, 404],
  ['statuses', `require('statuses')('not found')`, 404],
  ['qs', `require('qs').parse('a[b]=c')`, { a: { b: 'c' } }],
  ['semver', `require('semver').satisfies('1.2.3', '^1.0.0')`, true],
  ['mime-types', `require('mime-types').lookup('x.json')`, 'application/json'],
  ['@arangodb db', `typeof require('@arangodb').db._collection`, 'function'],
  ['@arangodb errors', `typeof require('@arangodb').errors.ERROR_ARANGO_DOCUMENT_NOT_FOUND.code`, 'number'],
  ['@arangodb/actions constants', `[require('@arangodb/actions').HTTP_OK, require('@arangodb/actions').HTTP_NOT_FOUND, require('@arangodb/actions').HTTP_SERVER_ERROR]`, [200, 404, 500]],
  ['@arangodb/crypto', `require('@arangodb/crypto').md5('a')`, '0cc175b9c0f1b6a831c399e269772661'],
  ['@arangodb/locals', `require('@arangodb/locals').context.mount`, '/compat'],
  ['@arangodb/foxx/auth', `(() => { const a = require('@arangodb/foxx/auth')(); return a.verify(a.create('pw'), 'pw'); })()`, true],
  ['@arangodb/foxx/sessions', `typeof require('@arangodb/foxx/sessions')`, 'function'],
  ['@arangodb/foxx/queues', `typeof require('@arangodb/foxx/queues').create`, 'function'],
  ['@arangodb/request', `typeof require('@arangodb/request').get`, 'function'],
];

describe('Foxx compatibility with ArangoDB 3.x services', () => {
  const tmp = tempDir('kitsune-foxx-compat-');
  let server: ServerHandle;
  let db: Database;

  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    db = server.db();
    const routes = MODULES.map(([, expr], i) => `router.get('/m/${i}', (req, res) => res.json(${expr}));`).join('\n');
    const main = `${ROUTER}${routes}
router.get('/text', (req, res) => res.send('plain words')).response(['text/plain']);
router.post('/items', (req, res) => res.json(req.body)).body({ title: joi.string().required() });
`;
    await db.installService('/compat', service({ main: 'index.js', defaultDocument: 'index.html' }, { 'index.js': main }));
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  MODULES.forEach(([name, , expected], i) => {
    it(`module: ${name}`, async () => {
      const res = await rawRequest(server.endpoint, 'GET', `/compat/m/${i}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, expected);
    });
  });

  it('res.send(string) after .response([text/plain]) answers text/plain', async () => {
    const res = await rawRequest(server.endpoint, 'GET', '/compat/text');
    assert.equal(res.text, 'plain words');
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  });

  it('a plain object of joi schemas validates the body', async () => {
    const ok = await rawRequest(server.endpoint, 'POST', '/compat/items', JSON.stringify({ title: 'x' }), { 'content-type': 'application/json' });
    assert.deepEqual(ok.json, { title: 'x' });
    const bad = await rawRequest(server.endpoint, 'POST', '/compat/items', JSON.stringify({ title: 42 }), { 'content-type': 'application/json' });
    assert.equal(bad.status, 400);
  });

  it('GET /mount/ redirects to the defaultDocument', async () => {
    const res = await fetch(`${server.endpoint}/_db/_system/compat/`, { redirect: 'manual', headers: { authorization: `Basic ${Buffer.from('root:').toString('base64')}` } });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/_db/_system/compat/index.html');
  });
});
