import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Database } from 'arangojs';
import { freePort } from '../harness/etcd.ts';
import { tempDir, waitFor } from '../harness/server.ts';
import { assertAgencyLockedDown } from '../harness/starter-agency.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kitsune.mjs');

describe('kitsune starter --mode cluster', () => {
  it('launches etcd, DB-servers and coordinators, prints the coordinators and a status line, stops all on SIGINT', { timeout: 90_000 }, async () => {
    const tmp = tempDir('kitsune-cstarter-');
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'starter', '--mode', 'cluster', '--coordinators', '2', '--dbservers', '2', '--replication-factor', '1',
      '--data-dir', tmp.dir, '--base-port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const urls = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`];
    try {
      await waitFor(() => out.includes('endpoints for clients'), { timeoutMs: 60_000, what: `the starter to start the cluster:\n${out}` });
      assert.match(out, new RegExp(`endpoints for clients: ${urls.join(',')}`));
      await waitFor(() => /members: 2\/2 coordinators, 2\/2 DB-servers \| health: healthy \| leaders: _system@\S+ \| Foxxmaster: 127\.0\.0\.1:\d+/.test(out), { timeoutMs: 20_000, what: `a status line:\n${out}` });
      const db = new Database({ url: urls, auth: { username: 'root', password: '' }, loadBalancingStrategy: 'ROUND_ROBIN' });
      assert.equal((await db.route('/_admin/server/role').get()).parsedBody.role, 'COORDINATOR');
      await db.createDatabase('app');
      const app = db.database('app');
      await app.createCollection('c');
      await app.collection('c').save({ _key: 'x' });
      assert.equal((await app.collection('c').document('x'))._key, 'x');
      await assertAgencyLockedDown(out);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.match(out, /stopped/);
    await assert.rejects(fetch(`${urls[0]}/_api/version`));
    tmp.cleanup();
  });
});
