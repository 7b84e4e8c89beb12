// `@arangodb/request` to https:// endpoints inside --javascript.endpoints-allowlist trusts the CA of
// the server's --ssl.cafile (issue 10, item 3): a local https server signed by a test CA answers a
// service's request; without the CA the same request fails with a certificate error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
const CAFILE = path.join(TLS, 'ca.pem');
const KEY_AND_CERT = fs.readFileSync(path.join(TLS, 'server.pem'), 'utf8');

const SERVICE = `'use strict';
const router = require('@arangodb/foxx/router')();
const request = require('@arangodb/request');
module.context.use(router);
router.get('/call', (req, res) => {
  try {
    const r = request.get(req.queryParams.url, { json: true });
    res.json({ status: r.status, body: r.json });
  } catch (e) {
    res.json({ failed: String(e.errorNum ?? e.message) });
  }
});
`;

function bundle(): Blob {
  const entries = [
    { name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'tls-client', version: '1.0.0', main: 'index.js' })) },
    { name: 'index.js', data: Buffer.from(SERVICE) },
  ];
  return new Blob([craftZip(entries)], { type: 'application/zip' });
}

describe('@arangodb/request over https with --ssl.cafile', () => {
  const tmp = tempDir('kitsune-foxx-tls-');
  let remote: https.Server;
  let remoteUrl: string;
  let trusting: ServerHandle;
  let plain: ServerHandle;

  before(async () => {
    remote = https.createServer({ key: KEY_AND_CERT, cert: KEY_AND_CERT }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ secure: true, path: req.url }));
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    const port = (remote.address() as AddressInfo).port;
    remoteUrl = `https://127.0.0.1:${port}/hello`;
    const allow = ['--javascript.endpoints-allowlist', `ssl://127\\.0\\.0\\.1:${port}$`];
    [trusting, plain] = await Promise.all([
      startServer({ dataDir: path.join(tmp.dir, 'trusting'), args: [...allow, '--ssl.cafile', CAFILE] }),
      startServer({ dataDir: path.join(tmp.dir, 'plain'), args: allow }),
    ]);
    await Promise.all([trusting.db().installService('/tls', bundle()), plain.db().installService('/tls', bundle())]);
  });
  after(async () => {
    await Promise.all([trusting?.stop(), plain?.stop()]);
    await new Promise<void>((resolve) => remote?.close(() => resolve()));
    tmp.cleanup();
  });

  const call = async (server: ServerHandle, url: string): Promise<unknown> => (await rawRequest(server.endpoint, 'GET', `/tls/call?url=${encodeURIComponent(url)}`)).json;

  it('reaches an https endpoint signed by the CA of --ssl.cafile', async () => {
    assert.deepEqual(await call(trusting, remoteUrl), { status: 200, body: { secure: true, path: '/hello' } });
  });

  it('refuses the same endpoint when the server does not trust its CA', async () => {
    const out = (await call(plain, remoteUrl)) as { failed?: string };
    assert.match(String(out.failed), /certificate/i, JSON.stringify(out));
  });

  it('still refuses endpoints outside the allowlist (403 / errorNum 11)', async () => {
    assert.deepEqual(await call(trusting, 'https://127.0.0.1:1/x'), { failed: '11' });
  });
});
