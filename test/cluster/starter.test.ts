import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freePort } from '../harness/etcd.ts';
import { tempDir, waitFor } from '../harness/server.ts';
import { assertAgencyLockedDown } from '../harness/starter-agency.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kitsune.mjs');

describe('kitsune starter --mode activefailover', () => {
  it('launches etcd and the servers, prints endpoints and a live status line, stops all on SIGINT', { timeout: 60_000 }, async () => {
    const tmp = tempDir('kitsune-starter-');
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'starter', '--mode', 'activefailover', '--servers', '2', '--data-dir', tmp.dir, '--base-port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => out.includes('endpoints for clients'), { timeoutMs: 30_000, what: `the starter to start the servers:\n${out}` });
      assert.match(out, new RegExp(`server 1: http://127.0.0.1:${port}`));
      assert.match(out, new RegExp(`server 2: http://127.0.0.1:${port + 1}`));
      await waitFor(() => new RegExp(`leader: http://127.0.0.1:${port} \\(term \\d+\\) \\| followers: http://127.0.0.1:${port + 1} tailing lag \\d+ ms`).test(out), {
        timeoutMs: 20_000,
        what: `a status line with leader and tailing follower:\n${out}`,
      });
      const r = await fetch(`http://127.0.0.1:${port + 1}/_api/version`);
      assert.equal(r.headers.get('x-arango-endpoint'), `http://127.0.0.1:${port}`);
      await assertAgencyLockedDown(out);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.match(out, /stopped/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/_api/version`));
    tmp.cleanup();
  });

  it('names the Debian package when etcd is not installed', async () => {
    const child = spawn(process.execPath, [BIN, 'starter', '--mode', 'activefailover', '--data-dir', tempDir().dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: '/nonexistent-kitsune-test' },
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 1);
    assert.match(err, /etcd-server/);
  });
});
