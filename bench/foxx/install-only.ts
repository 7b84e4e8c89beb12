// node --import tsx bench/foxx/install-only.ts [N]: median install time of a 1 MiB bundle (the
// install part of bench/foxx/run.ts alone, for profiling the install path).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipFiles } from '../../src/foxx/zip-directory.ts';
import { startServer } from '../../test/harness/server.ts';

const n = Number(process.argv[2] ?? 7);
const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kitsune-foxx-install-'));
const server = await startServer({ dataDir: path.join(tmp, 'data'), args: ['--log-level', 'warn'] });
try {
  const big = zipFiles([
    ['manifest.json', Buffer.from(JSON.stringify({ name: 'big', version: '1.0.0', main: 'index.js' }))],
    ['index.js', Buffer.from("require('@arangodb/foxx/router')();")],
    ['payload.bin', crypto.randomBytes(1024 * 1024)],
  ]);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${server.endpoint}/_api/foxx?mount=/big${i}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/zip' }, body: big });
    if (res.status !== 201) throw new Error(`install failed: ${res.status} ${await res.text()}`);
    times.push(performance.now() - t0);
    await fetch(`${server.endpoint}/_api/foxx/service?mount=/big${i}`, { method: 'DELETE', headers: auth });
  }
  const sorted = [...times].sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ name: 'foxx-install-1mib', medianMs: sorted[Math.floor(n / 2)], times: times.map(Math.round) })}\n`);
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
