// npm run bench [-- --quick]: kitsune against ceilings measured in the same run.
// Prints one JSON line per measurement and a summary line with the ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { startServer } from '../../test/harness/server.ts';
import { benchAfterDrop } from './after-drop.ts';
import { load, withBareServer } from './load-tools.ts';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 4 : 10;
const IMPORT_DOCS = quick ? 200_000 : 1_000_000;
const BATCH = 10_000;

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ type: 'result', ...o })}\n`);
}

function doc(i: number): Record<string, unknown> {
  const n = String(i).padStart(6, '0');
  return { _key: `k${String(i).padStart(8, '0')}`, name: `user-${n}`, email: `user${n}@example.com`, age: 20 + (i % 60), active: i % 2 === 0, tags: ['alpha', 'beta'], address: { city: 'Springfield', zip: '12345' } };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };
const postBody = JSON.stringify({ name: 'user-000001', email: 'user000001@example.com', age: 21, active: false, tags: ['alpha', 'beta', 'gamma'], address: { street: '12 Main Street', city: 'Springfield', zip: '12345' } });
const rounds = quick ? 1 : 3;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-bench-'));
const server = await startServer({ dataDir: path.join(tmp, 'data'), args: ['--log-level', 'warn'] });
try {
  const db = server.db();
  const c = await db.createCollection('bench');
  const keys: string[] = [];
  for (let i = 0; i < 10_000; i += 1000) {
    const docs = Array.from({ length: 1000 }, (_, j) => doc(i + j));
    await c.import(docs);
    for (const d of docs) keys.push(`/_api/document/bench/${String(d['_key'])}`);
  }
  await db.createCollection('posts');
  const ratios: Record<string, number[]> = { get: [], post: [] };
  for (let r = 0; r < rounds; r++) {
    // the same random paths (the bare server answers any path), so the load generator does the same work
    const bareGet = await withBareServer((url) => load({ url, method: 'GET', connections: 64, durationSec: DURATION, headers: auth, paths: keys }));
    const kGet = await load({ url: server.endpoint, method: 'GET', connections: 64, durationSec: DURATION, headers: auth, paths: keys });
    emit({ name: 'get-document', round: r, bare: bareGet, kitsune: kGet, ratio: kGet.reqPerSec / bareGet.reqPerSec });
    ratios['get']?.push(kGet.reqPerSec / bareGet.reqPerSec);
    const barePost = await withBareServer((url) => load({ url, method: 'POST', connections: 64, durationSec: DURATION, headers: { ...auth, 'content-type': 'application/json' }, body: postBody }));
    const kPost = await load({ url: `${server.endpoint}/_api/document/posts`, method: 'POST', connections: 64, durationSec: DURATION, headers: { ...auth, 'content-type': 'application/json' }, body: postBody });
    emit({ name: 'post-document-durable', round: r, bare: barePost, kitsune: kPost, ratio: kPost.reqPerSec / barePost.reqPerSec });
    ratios['post']?.push(kPost.reqPerSec / barePost.reqPerSec);
  }

  // Import: HTTP /_api/import in batches of 10,000 against raw lmdb-js batched puts of the same documents.
  const lines: string[] = [];
  for (let b = 0; b < IMPORT_DOCS / BATCH; b++) {
    lines.push(Array.from({ length: BATCH }, (_, j) => JSON.stringify({ ...doc(b * BATCH + j), _key: undefined })).join('\n'));
  }
  await db.createCollection('imported');
  let t0 = performance.now();
  for (const body of lines) {
    const res = await fetch(`${server.endpoint}/_api/import?collection=imported&type=documents`, { method: 'POST', headers: auth, body });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  const importPerSec = IMPORT_DOCS / ((performance.now() - t0) / 1000);
  const raw = open({ path: path.join(tmp, 'raw'), overlappingSync: false });
  t0 = performance.now();
  for (let b = 0; b < IMPORT_DOCS / BATCH; b++) {
    await raw.transaction(() => {
      for (let j = 0; j < BATCH; j++) void raw.put(`k${b * BATCH + j}`, doc(b * BATCH + j));
    });
  }
  const rawPerSec = IMPORT_DOCS / ((performance.now() - t0) / 1000);
  await raw.close();
  emit({ name: 'import', docs: IMPORT_DOCS, kitsuneDocsPerSec: Math.round(importPerSec), rawLmdbDocsPerSec: Math.round(rawPerSec), ratio: importPerSec / rawPerSec });
  // issue #14, on a server of its own
  const afterDrop = await benchAfterDrop({ lines, docs: IMPORT_DOCS, durationSec: DURATION, postBody });
  emit(afterDrop);
  process.stdout.write(
    `${JSON.stringify({
      type: 'summary',
      getDocumentRatio: median(ratios['get'] ?? []),
      postDocumentRatio: median(ratios['post'] ?? []),
      importRatio: importPerSec / rawPerSec,
      postAfterDropRatio: afterDrop['ratio'],
      targets: { getDocumentRatio: 0.7, postDocumentRatio: 0.5, importRatio: 0.5, postAfterDropRatio: 0.8 },
      date: new Date().toISOString().slice(0, 10),
      command: quick ? 'npm run bench:quick' : 'npm run bench',
    })}\n`,
  );
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
