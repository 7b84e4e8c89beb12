// Hostile input to a Foxx service: `__proto__` in a JSON body, invalid UTF-8, query parameters named
// like Object.prototype members. The service must see plain data and the server refuse bad bytes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { zipFiles } from '../../src/foxx/zip-directory.ts';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

const SERVICE = `'use strict';
const router = require('@arangodb/foxx/router')();
const joi = require('joi');
module.context.use(router);
const report = (body) => ({
  own: Object.keys(body),
  // one ordinary prototype (JSON.parse's realm), not the client's object
  plainProto: Object.getPrototypeOf(Object.getPrototypeOf(body)) === null,
  hoisted: 'isAdmin' in body,
  attribute: Object.getOwnPropertyDescriptor(body, '__proto__').value,
  inherited: ({}).isAdmin === undefined ? null : true,
});
router.post('/validated', (req, res) => res.json(report(req.body))).body(joi.object().unknown(true));
router.post('/raw', (req, res) => res.json(report(req.json())));
router.post('/text', (req, res) => res.json({ length: req.body.length })).body(['text/plain']);
router.get('/query', (req, res) => res.json({ constructor: req.queryParams.constructor, toString: req.queryParams.toString, own: Object.keys(req.queryParams) }));
`;

describe("Foxx input rules (attacks through a service's request body and query)", () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    const bundle = zipFiles([
      ['manifest.json', Buffer.from(JSON.stringify({ name: 'rules', version: '1.0.0', main: 'index.js' }))],
      ['index.js', Buffer.from(SERVICE)],
    ]);
    await server.db().installService('/rules', new Blob([bundle]));
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('gives a __proto__ body member to the service as a plain attribute, never as a prototype', async () => {
    for (const route of ['/rules/validated', '/rules/raw']) {
      const r = await rawRequest(server.endpoint, 'POST', route, '{"__proto__":{"isAdmin":true},"name":"x"}', { 'content-type': 'application/json' });
      assert.equal(r.status, 200, `${route}: ${r.text}`);
      assert.deepEqual(JSON.parse(r.text), { own: ['__proto__', 'name'], plainProto: true, hoisted: false, attribute: { isAdmin: true }, inherited: null }, route);
    }
  });

  it('refuses a JSON or text body with invalid UTF-8 with 400 instead of replacing the bytes', async () => {
    const bad = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    for (const [route, type] of [['/rules/validated', 'application/json'], ['/rules/text', 'text/plain']] as const) {
      const r = await rawRequest(server.endpoint, 'POST', route, bad, { 'content-type': type });
      assert.equal(r.status, 400, `${route}: ${r.text}`);
      assert.match(r.text, /UTF-8/);
    }
    const raw = await rawRequest(server.endpoint, 'POST', '/rules/raw', bad, { 'content-type': 'application/json' });
    assert.equal(raw.status, 500, 'req.json() throws inside the handler (the service\'s own error)');
    const good = await rawRequest(server.endpoint, 'POST', '/rules/text', Buffer.from('h\u00e9llo'), { 'content-type': 'text/plain' });
    assert.deepEqual(JSON.parse(good.text), { length: 5 }, 'valid UTF-8 passes');
  });

  it('treats query parameters named constructor or toString as plain parameters', async () => {
    const r = await rawRequest(server.endpoint, 'GET', '/rules/query?constructor=x&toString=y&toString=z');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.text), { constructor: 'x', toString: ['y', 'z'], own: ['constructor', 'toString'] });
  });
});
