// node --import tsx bench/foxx/profile-hello.ts [route] [seconds]: one Foxx route under load with the
// server started under `--cpu-prof` (profiles in $PROF_DIR, default /tmp/kitsune-foxx-prof), for
// finding where a request's time goes. Not part of `npm run bench:foxx`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipFiles } from '../../src/foxx/zip-directory.ts';
import { spawn } from 'node:child_process';
import { Database } from 'arangojs';
import { load } from '../macro/load-tools.ts';

const route = process.argv[2] ?? 'hello';
const seconds = Number(process.argv[3] ?? 5);
const profDir = process.env.PROF_DIR ?? '/tmp/kitsune-foxx-prof';
fs.mkdirSync(profDir, { recursive: true });
const SERVICE = `'use strict';
const router = require('@arangodb/foxx/router')();
const { db } = require('@arangodb');
module.context.use(router);
const BODY = { _key: '12345', _id: 'docs/12345', _rev: '_hXk2aa---', name: 'ceiling', value: 42 };
router.get('/hello', (req, res) => { res.json(BODY); });
const docs = db._collection('benchdocs');
router.get('/doc/:key', (req, res) => { res.json(docs.document(req.pathParams.key)); });
router.get('/aql/:key', (req, res) => { res.json(db._query('FOR d IN benchdocs FILTER d._key == @k RETURN d', { k: req.pathParams.key }).toArray()); });
`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-foxx-prof-'));
const child = spawn(process.execPath, [`--cpu-prof`, `--cpu-prof-dir=${profDir}`, 'bin/kitsune.mjs', 'start', '--port', '0', '--data-dir', path.join(tmp, 'data'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
const endpoint = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /kitsune ready on (\S+)/.exec(out);
    if (m?.[1] !== undefined) resolve(m[1]);
  });
});
const server = {
  endpoint,
  db: () => new Database({ url: endpoint, auth: { username: 'root', password: '' } }),
  stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
};
try {
  const db = server.db();
  const coll = await db.createCollection('benchdocs');
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  await coll.import(keys.map((k, i) => ({ _key: k, name: `user-${i}`, value: i })));
  const bundle = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify({ name: 'prof', version: '1.0.0', main: 'index.js' }))],
    ['index.js', Buffer.from(SERVICE)],
  ]);
  await db.installService('/prof', new Blob([bundle]));
  const paths = route === 'hello' ? undefined : keys.map((k) => `/prof/${route}/${k}`);
  const r = await load({ method: 'GET', connections: 32, durationSec: seconds, headers: {}, url: paths === undefined ? `${server.endpoint}/prof/hello` : server.endpoint, ...(paths === undefined ? {} : { paths }) });
  process.stdout.write(`${JSON.stringify({ route, ...r })}\n`);
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
