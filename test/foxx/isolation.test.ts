// The attacks of issue 10 against the Foxx runtime, each as a user would run it: a service with
// hostile code is installed through arangojs and its routes are called over HTTP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { rawRequest, startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';
import { listTree } from './foxx-helpers.ts';
import { craftZip } from './zip-craft.ts';

const ROOT_PASSWORD = 'root-pw-never-in-a-service-7d1f';

/** A service bundle from file contents (`manifest.json` given as an object). */
function service(manifest: Record<string, unknown>, files: Record<string, string>): Blob {
  const entries = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'svc', version: '1.0.0', ...manifest })) }];
  for (const [name, text] of Object.entries(files)) entries.push({ name, data: Buffer.from(text) });
  return new Blob([craftZip(entries)], { type: 'application/zip' });
}

const ROUTER = `'use strict';\nconst router = require('@arangodb/foxx/router')();\nmodule.context.use(router);\nconst { db } = require('@arangodb');\n`;

async function errorOf(p: Promise<unknown>): Promise<{ code: number; errorNum: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; errorNum?: number; message?: string };
    return { code: e.code ?? 0, errorNum: e.errorNum ?? 0, message: e.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

describe('Foxx isolation and limits (issue 10 attacks)', () => {
  const tmp = tempDir('kitsune-foxx-iso-');
  let server: ServerHandle;
  let db: Database;
  let jwtSecret: string;

  before(async () => {
    server = await startServer({
      dataDir: path.join(tmp.dir, 'data'),
      args: ['--javascript.endpoints-allowlist', 'tcp://127\\.0\\.0\\.1:1$', '--foxx.request-timeout', '1500', '--foxx.max-memory', '200', '--foxx.max-extracted-bytes', String(64 * 1024 * 1024)],
      env: { KITSUNE_ROOT_PASSWORD: ROOT_PASSWORD },
    });
    db = server.db('_system', { username: 'root', password: ROOT_PASSWORD });
    jwtSecret = fs.readFileSync(path.join(server.dataDir, 'jwt-secret'), 'utf8').trim();
    await db.installService('/hello', service({ main: 'index.js' }, { 'index.js': `${ROUTER}router.get('/hello', (req, res) => res.json({ hello: 'world' }));` }));
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const auth = () => ({ authorization: `Basic ${Buffer.from(`root:${ROOT_PASSWORD}`).toString('base64')}` });
  const get = (p: string) => rawRequest(server.endpoint, 'GET', p, undefined, auth());
  const alive = async (): Promise<void> => {
    const started = Date.now();
    const res = await get('/hello/hello');
    assert.deepEqual(res.json, { hello: 'world' });
    assert.ok(Date.now() - started < 1000, 'another service answers promptly');
  };

  it('an escaping route reaches nothing of the host: no secrets, no files, no processes, no signals', async () => {
    const escape = `${ROUTER}
const attempts = {
  ctorOfExports: () => this.constructor.constructor('return process')(),
  ctorOfRequire: () => require.constructor('return process')(),
  ctorOfRouter: () => router.constructor.constructor('return process')(),
  ctorOfBuffer: () => Buffer.constructor('return process')(),
  ctorOfUtil: () => require('util').inspect.constructor('return process')(),
  globalProcess: () => process,
};
router.get('/escape', function (req, res) {
  const out = {};
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      const p = attempt();
      out[name] = { env: JSON.stringify(p.env), pid: typeof p.pid };
      try { p.kill(p.ppid, 'SIGKILL'); out[name].killed = true; } catch (e) { out[name].kill = String(e.message); }
    } catch (e) { out[name] = 'refused: ' + e.name; }
  }
  try { out.handlerCtor = req.constructor.constructor('return process')().env; } catch (e) { out.handlerCtor = 'refused: ' + e.name; }
  const fs = require('fs');
  for (const f of ['/etc/passwd', '../../../../jwt-secret', '/proc/self/environ']) {
    try { out[f] = fs.readFileSync(f, 'utf8'); } catch (e) { out[f] = 'refused: ' + (e.code || e.name); }
  }
  for (const m of ['child_process', 'net', 'http', 'worker_threads', 'vm', 'module', 'v8', 'inspector']) {
    try { require(m); out[m] = 'loaded'; } catch (e) { out[m] = 'refused: ' + e.errorNum; }
  }
  res.json(out);
});
router.get('/fetch', (req, res) => {
  try { require('@arangodb/request').get(req.queryParams.url); res.json('fetched'); } catch (e) { res.json('refused: ' + e.errorNum); }
});`;
    await db.installService('/escape', service({ main: 'index.js' }, { 'index.js': escape }));
    const res = await fetch(`${server.endpoint}/escape/escape`);
    const text = await res.text();
    assert.ok(!text.includes(ROOT_PASSWORD), 'the root password never reaches a service');
    assert.ok(!text.includes(jwtSecret), 'the JWT secret never reaches a service');
    assert.ok(!text.includes('root:x:0:0'), 'no file outside the service is readable');
    const out = JSON.parse(text) as Record<string, unknown>;
    for (const name of ['ctorOfExports', 'ctorOfRequire', 'ctorOfRouter', 'ctorOfBuffer', 'ctorOfUtil', 'handlerCtor']) assert.match(String(out[name]), /^refused: EvalError/, name);
    assert.deepEqual(out.globalProcess, { env: '{}', pid: 'undefined', kill: 'p.kill is not a function' });
    for (const f of ['/etc/passwd', '../../../../jwt-secret', '/proc/self/environ']) assert.match(String(out[f]), /^refused: EACCES/, f);
    for (const m of ['child_process', 'net', 'http', 'worker_threads', 'vm', 'module', 'v8', 'inspector']) assert.equal(out[m], 'refused: 3100', m);
    const fetched = await get(`/escape/fetch?url=${encodeURIComponent(`${server.endpoint}/_api/version`)}`);
    assert.equal(fetched.json, 'refused: 11', '@arangodb/request reaches only --javascript.endpoints-allowlist');
    await alive();
    assert.equal((await get('/_api/version')).status, 200, 'the server still serves');
  });

  it('refuses a main (or lib) outside the service folder at validation, without the file content', async () => {
    for (const manifest of [{ main: '/etc/os-release' }, { lib: '/', main: 'etc/os-release' }, { main: '../../../../../../etc/os-release' }, { scripts: { setup: '/etc/passwd' } }]) {
      const e = await errorOf(db.installService('/outside', service(manifest, {})));
      assert.equal(e.errorNum, 3001, JSON.stringify(manifest));
      assert.equal(e.code, 400);
      assert.match(e.message, /outside the service folder/);
      assert.doesNotMatch(e.message, /bookworm|VERSION|PRETTY_NAME|root:x/);
    }
    assert.equal((await db.listServices()).some((s) => s.mount === '/outside'), false);
  });

  it('stops a busy timer at uninstall and never starts the timers of a refused install', async () => {
    const ticks = await db.createCollection('ticks');
    const timer = `${ROUTER}setInterval(() => { db._collection('ticks').save({ from: module.context.mount }); for (let i = 0; i < 1e6; i++); }, 10);\nrouter.get('/x', (req, res) => res.json(1));`;
    await db.installService('/ticker', service({ main: 'index.js' }, { 'index.js': timer }));
    await waitFor(async () => (await ticks.count()).count > 3, { timeoutMs: 10_000, what: 'the timer to write' });
    await alive();
    await db.uninstallService('/ticker');
    const afterUninstall = (await ticks.count()).count;
    // The timer ran every 10 ms: over 600 ms a surviving one would have written dozens more.
    const deadline = Date.now() + 600;
    while (Date.now() < deadline) assert.equal((await ticks.count()).count, afterUninstall);
    await ticks.truncate();
    const refused = `${ROUTER}setInterval(() => db._collection('ticks').save({ refused: true }), 5);\nthrow new Error('refuse me');`;
    const e = await errorOf(db.installService('/refused', service({ main: 'index.js' }, { 'index.js': refused })));
    assert.equal(e.errorNum, 3103);
    const until = Date.now() + 400;
    while (Date.now() < until) assert.equal((await ticks.count()).count, 0);
  });

  it('stops a Buffer hog at its memory limit, answers with a clear error and restarts the service', async () => {
    const hog = `${ROUTER}const kept = [];
router.get('/hog', (req, res) => { for (let i = 0; i < 192; i++) kept.push(Buffer.alloc(32 * 1024 * 1024, 1)); res.json(kept.length); });
router.get('/ok', (req, res) => res.json({ ok: true, held: kept.length }));`;
    await db.installService('/hog', service({ main: 'index.js' }, { 'index.js': hog }));
    const res = await get('/hog/hog');
    assert.equal(res.status, 500);
    assert.equal((res.json as { errorNum: number }).errorNum, 32);
    assert.match((res.json as { errorMessage: string }).errorMessage, /memory limit of 200 MiB/);
    assert.deepEqual((await get('/hog/ok')).json, { ok: true, held: 0 });
    await alive();
  });

  it('a service that loops (in a request, then on every load) leaves every other mount answering', async () => {
    const flags = await db.createCollection('flags');
    const looper = `${ROUTER}if (db._collection('flags').exists('loop')) { for (;;); }
router.get('/spin', (req, res) => { for (;;); });
router.get('/ok', (req, res) => res.json(true));`;
    await db.installService('/looper', service({ main: 'index.js' }, { 'index.js': looper }));
    const spinning = get('/looper/spin');
    await alive();
    const spun = await spinning;
    assert.equal(spun.status, 500);
    assert.match((spun.json as { errorMessage: string }).errorMessage, /timed out/);
    await flags.save({ _key: 'loop' });
    for (let i = 0; i < 3; i++) {
      const reload = get('/looper/ok');
      await alive();
      assert.equal((await reload).status, 500, 'its main loops on every restart');
    }
    await flags.remove('loop');
    assert.equal((await get('/looper/ok')).json, true, 'it serves again once its main returns');
  });

  it('refuses a bundle that expands past --foxx.max-extracted-bytes while extracting, leaving nothing behind', async () => {
    const mb = Buffer.alloc(1024 * 1024);
    const honest = craftZip([{ name: 'manifest.json', data: Buffer.from('{"name":"z","version":"1.0.0"}') }, ...Array.from({ length: 80 }, (_, i) => ({ name: `z${i}.bin`, data: mb }))]);
    const forged = craftZip([{ name: 'manifest.json', data: Buffer.from('{"name":"z","version":"1.0.0"}') }, ...Array.from({ length: 80 }, (_, i) => ({ name: `z${i}.bin`, data: mb, uncompressedSize: 1000 }))]);
    for (const bytes of [honest, forged]) {
      const e = await errorOf(db.installService('/bomb', new Blob([bytes], { type: 'application/zip' })));
      assert.equal(e.code, 400);
      assert.match(e.message, /Invalid service bundle/);
    }
    assert.deepEqual(listTree(path.join(server.dataDir, 'foxx', '_tmp')), []);
    assert.equal(listTree(path.join(server.dataDir, 'foxx')).some((f) => f.includes('bomb')), false);
  });
});
