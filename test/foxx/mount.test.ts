import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateMount, collectionPrefix, bundleFileName, downloadFileName, servicePathSegments, isValidMountQuery } from '../../src/foxx/index.ts';
import { isArangoError } from '../../src/errors/index.ts';

function rejects(mount: string, message: string): void {
  assert.throws(() => validateMount(mount), (err: unknown) => isArangoError(err) && err.errorNum === 3007 && err.httpStatus === 400 && err.message === message);
}

describe('mount paths', () => {
  it('accepts ordinary mounts', () => {
    for (const m of ['/x', '/my-foxx/v1', '/a_b/c%20d', '/_open/thing']) validateMount(m);
  });

  it('rejects bad mounts with ArangoDB messages', () => {
    rejects('x', 'Mountpoint has to start with /.');
    rejects('/a b', 'Mountpoint can only contain a-z, A-Z, 0-9 or _.');
    rejects('/a/', 'Mountpoint can only contain a-z, A-Z, 0-9 or _.');
    rejects('/_api', '/_ apps are reserved for internal use.');
    rejects('/1x', 'Mointpoints are not allowed to start with a number, - or %.');
    rejects('/-x', 'Mointpoints are not allowed to start with a number, - or %.');
    rejects('/x/app', 'Mountpoint is not allowed to contain /app/.');
    rejects('/x/APP/y', 'Mountpoint is not allowed to contain /app/.');
  });

  it('allows internal mounts', () => {
    validateMount('/_api/foxx', { internal: true });
    validateMount('/', { internal: true });
  });

  it('derives prefixes and file names', () => {
    assert.equal(collectionPrefix('/my-foxx'), 'my_foxx_');
    assert.equal(bundleFileName('/my-foxx/v1'), 'my_foxx_v1.zip');
    assert.equal(downloadFileName('/my-foxx/v1'), 'my-foxx_v1.zip');
    assert.deepEqual(servicePathSegments('_system', '/a/b'), ['_db', '_system', 'a', 'b', 'APP']);
    assert.equal(isValidMountQuery('/ok'), true);
    assert.equal(isValidMountQuery('nope'), false);
  });
});
