import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

/** Mounts a small tmpfs the test can fill (needs root, as in CI); undefined where mounting is not allowed. */
function mountSmallFs(dir: string, mib: number): (() => void) | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** Writes a file until the file system refuses more; returns its path. */
function fillUp(dir: string): string {
  const file = path.join(dir, 'ballast');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

interface StatusBody {
  storage?: { writable: boolean; errorNum?: number; errorMessage?: string };
}

describe('disk full (attack: fill the data directory\'s file system)', () => {
  const tmp = tempDir('kitsune-diskfull-');
  const unmount = mountSmallFs(tmp.dir, 48);
  let server: ServerHandle | undefined;
  const big = 'x'.repeat(200 * 1024);

  before(async () => {
    if (!unmount) return;
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
  });
  after(async () => {
    await server?.kill();
    unmount?.();
    tmp.cleanup();
  });

  it('fails writes with 1104, keeps reads and the process alive, and recovers when space returns', { skip: unmount ? false : 'mounting a tmpfs needs root' }, async () => {
    assert.ok(server);
    const s = server;
    try {
      await fillAndRecover(s);
    } catch (err) {
      // name the server's state and log tail with any failure, for the record
      const state = `server exit code ${String(s.process.exitCode)}, signal ${String(s.process.signalCode)}`;
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${state}\n${s.logs().slice(-4000)}`, { cause: err });
    }
  });

  const fillAndRecover = async (s: ServerHandle): Promise<void> => {
    const db = s.db();
    const c = await db.createCollection('filling');
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await c.save({ _key: `before${i}`, big });
      acked.push(`before${i}`);
    }
    const ballast = fillUp(tmp.dir);

    // keep writing until the disk refuses: the refusal is ArangoDB's 1104, never a dropped connection
    let refused: { key: string; errorNum: number; code: number } | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const key = `during${i}`;
      try {
        await c.save({ _key: key, big });
        acked.push(key);
      } catch (err) {
        const e = err as { errorNum?: number; code?: number };
        if (e.errorNum === undefined) throw new Error(`write failed without an ArangoDB error: ${String(err)}`);
        refused = { key, errorNum: e.errorNum ?? -1, code: e.code ?? -1 };
      }
    }
    assert.ok(refused, 'a write into a full file system is refused');
    assert.equal(refused.errorNum, 1104, 'ERROR_ARANGO_FILESYSTEM_FULL');
    assert.equal(refused.code, 500);
    // small writes are refused the same way while the disk is full, and a batch (AQL) too
    await assert.rejects(c.save({ _key: 'small', big }), (e: { errorNum?: number }) => e.errorNum === 1104);
    await assert.rejects(db.query('FOR i IN 1..50 INSERT { big: @big } INTO filling', { big }), (e: { errorNum?: number }) => e.errorNum === 1104);

    // the server lives on and serves reads and the rest of the API
    assert.equal(s.process.exitCode, null, 'the process did not exit');
    assert.equal(((await c.document('before3')) as { big: string }).big.length, big.length);
    const count = await (await db.query('RETURN LENGTH(filling)')).next();
    assert.equal(count, acked.length, 'every acknowledged write is readable, nothing half-written');
    assert.equal(await c.documentExists(refused.key), false, 'the refused document is not there');
    assert.equal(await c.documentExists('small'), false);
    assert.ok((await db.version()).version);

    // /_admin/status and the log say why
    const status = (await db.route('/_admin/status').get()).parsedBody as StatusBody;
    assert.equal(status.storage?.writable, false);
    assert.equal(status.storage?.errorNum, 1104);
    assert.match(s.logs(), /writes are failing: filesystem full/);

    // space returns: writes resume by themselves (no restart, no request needed to notice)
    fs.rmSync(ballast);
    await waitFor(async () => ((await db.route('/_admin/status').get()).parsedBody as StatusBody).storage?.writable === true, { timeoutMs: 15_000, what: 'writes to resume', intervalMs: 200 });
    // the log line follows the first successful commit, which may come a moment after the status flips
    await waitFor(() => /writes succeed again/.test(s.logs()), { timeoutMs: 15_000, what: 'the recovery to be logged', intervalMs: 100 });
    await c.save({ _key: 'after', big });
    acked.push('after');

    // and after a restart every acknowledged write is still there, no refused one is
    await s.stop();
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    const c2 = server.db().collection('filling');
    const keys = new Set(await (await server.db().query('FOR d IN filling RETURN d._key')).all());
    assert.deepEqual(acked.filter((k) => !keys.has(k)), [], 'no acknowledged write lost');
    assert.equal(keys.size, acked.length, 'nothing that was refused appears');
    assert.equal(await c2.documentExists(refused.key), false);
  };
});
