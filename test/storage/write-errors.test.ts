import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { ArangoError, isArangoError } from '../../src/errors/index.ts';
import { MDB_MAP_FULL, commitErrorOf } from '../../src/storage/write-errors.ts';

/** lmdb-js's shape: a generic "Commit failed" whose `commitError` promise rejects with the real error. */
function lmdbCommitFailure(code: number | string, message: string): Error {
  const real = Object.assign(new Error(message), { code });
  const inner = Promise.reject(real);
  inner.catch(() => undefined);
  return Object.assign(new Error('Commit failed (see commitError for details)'), { commitError: inner });
}

async function errorNumOf(err: unknown): Promise<number | undefined> {
  const mapped = await commitErrorOf(err, os.tmpdir());
  return isArangoError(mapped) ? mapped.errorNum : undefined;
}

describe('commit errors a client gets (disk full, map full, I/O)', () => {
  it('MDB_MAP_FULL (the LMDB map reached its size) is 1104 filesystem full, like ENOSPC', async () => {
    assert.equal(await errorNumOf(lmdbCommitFailure(MDB_MAP_FULL, 'MDB_MAP_FULL: Environment mapsize limit reached')), 1104);
    assert.equal(await errorNumOf(lmdbCommitFailure(28, 'No space left on device')), 1104);
    assert.equal(await errorNumOf(lmdbCommitFailure('EDQUOT', 'Disk quota exceeded')), 1104);
    assert.equal(await errorNumOf(Object.assign(new Error('MDB_MAP_FULL'), { code: MDB_MAP_FULL })), 1104);
  });

  it('an I/O error with free space is 1305, and the message keeps the cause', async () => {
    const mapped = await commitErrorOf(lmdbCommitFailure(5, 'Input/output error'), os.tmpdir());
    assert.ok(isArangoError(mapped));
    assert.equal(mapped.errorNum, 1305);
    assert.match(mapped.message, /Input\/output error/);
  });

  it('errors thrown by the write itself pass unchanged', async () => {
    const conflict = new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict');
    assert.equal(await commitErrorOf(conflict, os.tmpdir()), conflict);
    const plain = new TypeError('bad input');
    assert.equal(await commitErrorOf(plain, os.tmpdir()), plain);
  });
});
