// Issue #14: durable POST right after dropping a large imported collection, as a ratio to the
// rate before the drop, and whether the dropped space is reused (the data file does not grow when
// the same import runs again). Its own server, with a short operation-log retention, so the log
// does not keep the imported documents' entries alive and the file size shows the documents alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type ServerHandle } from '../../test/harness/server.ts';
import { load, type LoadResult } from './load-tools.ts';

const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };

async function importAll(server: ServerHandle, collection: string, lines: readonly string[]): Promise<void> {
  await server.db().createCollection(collection);
  for (const body of lines) {
    const res = await fetch(`${server.endpoint}/_api/import?collection=${collection}&type=documents`, { method: 'POST', headers: auth, body });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
}

/** Waits until dropped data is freed and the log is pruned; returns the seconds it took. */
async function settled(server: ServerHandle): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const s = (await server.db().request({ pathname: '/_admin/status' })) as { storage?: { reclaim?: { pendingDatabases?: number }; operationLog?: { entries?: number } } };
    if (s.storage?.reclaim?.pendingDatabases === 0 && (s.storage.operationLog?.entries ?? Infinity) <= 2000) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 600_000) throw new Error('dropped data not freed within 10 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchAfterDrop(o: { lines: readonly string[]; docs: number; durationSec: number; postBody: string }): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-bench-drop-'));
  const server = await startServer({ dataDir: path.join(tmp, 'data'), args: ['--log-level', 'warn', '--log.retention-entries', '1000'] });
  try {
    await server.db().createCollection('posts');
    const postLoad = (): Promise<LoadResult> =>
      load({ url: `${server.endpoint}/_api/document/posts`, method: 'POST', connections: 64, durationSec: o.durationSec, headers: { ...auth, 'content-type': 'application/json' }, body: o.postBody });
    const dataFile = path.join(tmp, 'data', 'kitsune.lmdb');
    await importAll(server, 'imported', o.lines);
    await settled(server);
    const beforeDrop = await postLoad();
    await server.db().collection('imported').drop();
    const afterDrop = await postLoad();
    const freeSeconds = await settled(server);
    const later = await postLoad();
    const sizeAfterDrop = fs.statSync(dataFile).size;
    await importAll(server, 'reimported', o.lines);
    await settled(server);
    const sizeAfterReimport = fs.statSync(dataFile).size;
    return {
      name: 'post-after-drop',
      droppedDocs: o.docs,
      beforeDrop: beforeDrop.reqPerSec,
      afterDrop: afterDrop.reqPerSec,
      ratio: afterDrop.reqPerSec / beforeDrop.reqPerSec,
      target: 0.8,
      // once the dropped data is freed in the background
      laterRatio: later.reqPerSec / beforeDrop.reqPerSec,
      freeSeconds,
      dataFileMiB: { afterDrop: Math.round(sizeAfterDrop / 2 ** 20), afterReimport: Math.round(sizeAfterReimport / 2 ** 20) },
    };
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
