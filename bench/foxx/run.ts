// node --import tsx bench/foxx/run.ts [--quick]: Foxx service throughput against a bare node:http
// server (same machine, same run), 1 MiB bundle install latency, and queue throughput.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipFiles } from '../../src/foxx/zip-directory.ts';
import { startServer, waitFor } from '../../test/harness/server.ts';
import { load, withBareServer } from '../macro/load-tools.ts';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 3 : 10;
const CONNECTIONS = 32;
const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ type: 'result', ...o })}\n`);
}

async function bare(): Promise<number> {
  return withBareServer(async (url) => (await loadGet({ url: `${url}/` })).reqPerSec);
}

/** A GET load with this benchmark's defaults. */
function loadGet(spec: Record<string, unknown>): ReturnType<typeof load> {
  return load({ method: 'GET', connections: CONNECTIONS, durationSec: DURATION, headers: {}, ...spec });
}

const SERVICE = `'use strict';
const createRouter = require('@arangodb/foxx/router');
const { db } = require('@arangodb');
const queues = require('@arangodb/foxx/queues');
const router = createRouter();
module.context.use(router);
const BODY = { _key: '12345', _id: 'docs/12345', _rev: '_hXk2aa---', name: 'ceiling', value: 42 };
router.get('/hello', (req, res) => { res.json(BODY); });
const docs = db._collection('benchdocs');
router.get('/doc/:key', (req, res) => { res.json(docs.document(req.pathParams.key)); });
router.get('/aql/:key', (req, res) => { res.json(db._query('FOR d IN benchdocs FILTER d._key == @k RETURN d', { k: req.pathParams.key }).toArray()); });
router.get('/done', (req, res) => { res.json({ done: queues.get('bench').complete().length }); });
router.post('/push/:n', (req, res) => {
  const q = queues.create('bench', 4);
  for (let i = 0; i < Number(req.pathParams.n); i++) q.push({ name: 'job', mount: module.context.mount }, { i });
  res.json({ ok: true });
});
`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-foxx-bench-'));
const server = await startServer({ dataDir: path.join(tmp, 'data'), args: ['--log-level', 'warn', '--foxx.queues-poll-interval', '50'] });
try {
  const db = server.db();
  const coll = await db.createCollection('benchdocs');
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  await coll.import(keys.map((k, i) => ({ _key: k, name: `user-${i}`, value: i, tags: ['a', 'b'] })));
  const bundle = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify({ name: 'bench', version: '1.0.0', main: 'index.js', scripts: { job: 'job.js' } }))],
    ['index.js', Buffer.from(SERVICE)],
    ['job.js', Buffer.from("'use strict'; module.exports = module.context.argv[0];")],
  ]);
  await db.installService('/bench', new Blob([bundle]));

  const ceiling = await bare();
  const hello = await loadGet({ url: `${server.endpoint}/bench/hello` });
  emit({ name: 'foxx-hello', reqPerSec: hello.reqPerSec, ceiling, ratio: hello.reqPerSec / ceiling, target: 0.6, p99: hello.p99, errors: hello.errors + hello.non2xx });
  const doc = await loadGet({ url: server.endpoint, paths: keys.map((k) => `/bench/doc/${k}`) });
  emit({ name: 'foxx-doc-by-key', reqPerSec: doc.reqPerSec, ceiling, ratio: doc.reqPerSec / ceiling, target: 0.5, p99: doc.p99, errors: doc.errors + doc.non2xx });
  const aql = await loadGet({ url: server.endpoint, paths: keys.map((k) => `/bench/aql/${k}`) });
  emit({ name: 'foxx-aql-one-row', reqPerSec: aql.reqPerSec, ceiling, ratio: aql.reqPerSec / ceiling, target: 0.35, p99: aql.p99, errors: aql.errors + aql.non2xx });

  // Another service burning CPU in a timer loop must not slow the hello route.
  const burner = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify({ name: 'burner', version: '1.0.0', main: 'index.js' }))],
    ['index.js', Buffer.from("'use strict'; setInterval(() => { const t = Date.now(); while (Date.now() - t < 500); }, 1);")],
  ]);
  await db.installService('/burner', new Blob([burner]));
  const burning = await loadGet({ url: `${server.endpoint}/bench/hello` });
  await db.uninstallService('/burner');
  emit({ name: 'foxx-hello-p99-with-burner', p99: burning.p99, p99Alone: hello.p99, ratio: burning.p99 / Math.max(hello.p99, 1), target: 3, reqPerSec: burning.reqPerSec });

  // 1 MiB bundle: incompressible payload so the zip really is 1 MiB.
  const big = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify({ name: 'big', version: '1.0.0', main: 'index.js' }))],
    ['index.js', Buffer.from("require('@arangodb/foxx/router')();")],
    ['payload.bin', crypto.randomBytes(1024 * 1024)],
  ]);
  const times: number[] = [];
  for (let i = 0; i < (quick ? 5 : 11); i++) {
    const t0 = performance.now();
    const res = await fetch(`${server.endpoint}/_api/foxx?mount=/big${i}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/zip' }, body: big });
    if (res.status !== 201) throw new Error(`install failed: ${res.status} ${await res.text()}`);
    times.push(performance.now() - t0);
    await fetch(`${server.endpoint}/_api/foxx/service?mount=/big${i}`, { method: 'DELETE', headers: auth });
  }
  emit({ name: 'foxx-install-1mib', bundleBytes: big.length, medianMs: median(times), target: 300 });

  const jobs = quick ? 200 : 1000;
  const t0 = performance.now();
  await fetch(`${server.endpoint}/bench/push/${jobs}`, { method: 'POST' });
  await waitFor(async () => {
    const res = await fetch(`${server.endpoint}/bench/done`);
    return ((await res.json()) as { done: number }).done >= jobs;
  }, { timeoutMs: 300_000, what: 'queue drained', intervalMs: 100 });
  const seconds = (performance.now() - t0) / 1000;
  emit({ name: 'foxx-queue', jobs, seconds, jobsPerSec: jobs / seconds });
  process.stdout.write(`${JSON.stringify({ type: 'summary', helloRatio: hello.reqPerSec / ceiling, docRatio: doc.reqPerSec / ceiling, installMedianMs: median(times), queueJobsPerSec: jobs / seconds })}\n`);
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
