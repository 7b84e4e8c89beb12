// Part of `npm run bench:aql`: 64 connections GET documents, first alone, then while two clients
// each run a full-scan COLLECT query in a loop. Target: the GETs keep >= 0.7 of their throughput
// (the queries run in query worker threads, not on the main thread that serves the GETs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from '../macro/load-tools.ts';
import { startServer } from '../../test/harness/server.ts';

const quick = process.argv.includes('--quick');
const DOCS = quick ? 100_000 : 300_000;
const DURATION = quick ? 3 : 8;
const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-bench-gets-'));
const server = await startServer({ dataDir: path.join(tmp, 'data'), args: ['--log-level', 'warn'] });
try {
  const db = server.db();
  const c = await db.createCollection('people');
  const keys: string[] = [];
  for (let i = 0; i < DOCS; i += 10_000) {
    const docs = Array.from({ length: 10_000 }, (_, j) => ({ _key: `p${i + j}`, city: `city-${(i + j) % 1000}`, age: (i + j) % 90 }));
    await c.import(docs);
    if (keys.length < 10_000) for (const d of docs) keys.push(`/_api/document/people/${d._key}`);
  }
  const alone = await load({ url: server.endpoint, method: 'GET', connections: 64, durationSec: DURATION, headers: auth, paths: keys });
  let running = true;
  let queries = 0;
  const client = async (): Promise<void> => {
    while (running) {
      await (await db.query('FOR p IN people COLLECT city = p.city WITH COUNT INTO n RETURN {city, n}')).all();
      queries++;
    }
  };
  const clients = [client(), client()];
  const withQueries = await load({ url: server.endpoint, method: 'GET', connections: 64, durationSec: DURATION, headers: auth, paths: keys });
  running = false;
  await Promise.all(clients);
  const ratio = withQueries.reqPerSec / alone.reqPerSec;
  process.stdout.write(`${JSON.stringify({ type: 'result', name: 'gets-while-2-collect-queries-vs-alone', docs: DOCS, getsAlonePerSec: Math.round(alone.reqPerSec), getsWithQueriesPerSec: Math.round(withQueries.reqPerSec), queriesCompleted: queries, p99WithQueriesMs: withQueries.p99, ratio, target: 0.7 })}\n`);
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
