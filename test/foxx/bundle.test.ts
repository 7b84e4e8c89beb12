import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { adler32, bundleChecksum, extractZip, isZipBuffer, prepareService, sha256Hex, zipDirectory, zipFiles } from '../../src/foxx/index.ts';
import { isArangoError } from '../../src/errors/index.ts';
import { craftZip, deflatedZeros } from './zip-craft.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'foxx');
const GB = 1024 * 1024 * 1024;

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('bundles', () => {
  let base: string;
  let n = 0;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'kitsune-foxx-bundle-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });
  // Each case gets `<base>/<n>/tmp` as the caller's temp dir; `<base>/<n>` lets us see escapes.
  async function sandbox(): Promise<{ outer: string; temp: string }> {
    const outer = join(base, String(n++));
    const temp = join(outer, 'tmp');
    await mkdir(temp, { recursive: true });
    return { outer, temp };
  }

  async function assertRefused(zip: Buffer, pattern: RegExp, limits = {}): Promise<void> {
    const { outer, temp } = await sandbox();
    await assert.rejects(prepareService(zip, temp, { limits }), (err: unknown) => {
      assert.ok(isArangoError(err), `expected an ArangoError, got ${String(err)}`);
      assert.equal(err.errorNum, 3015);
      assert.equal(err.httpStatus, 400);
      assert.match(err.message, pattern);
      return true;
    });
    // Nothing outside the temp dir, and nothing left inside it either.
    assert.deepEqual(await listAll(outer), ['tmp']);
  }

  it('computes adler32 like zlib', () => {
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
    assert.equal(adler32(new Uint8Array(0)), 1);
    assert.equal(bundleChecksum(Buffer.from('Wikipedia')), '11e60398');
    // zlib streams end with the big-endian Adler-32 of their input.
    for (const input of [Buffer.alloc(100_000, 0xff), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff))]) {
      const z = deflateSync(input);
      assert.equal(adler32(input), z.readUInt32BE(z.length - 4));
    }
    assert.equal(sha256Hex(Buffer.from('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('extracts a zip, picks the shallowest manifest and signs the uploaded bytes', async () => {
    const zip = zipFiles([
      ['repo-master/sub/manifest.json', Buffer.from('{}')],
      ['repo-master/manifest.json', Buffer.from('{"main":"index.js"}')],
      ['repo-master/index.js', Buffer.from('module.exports = 1;')],
    ]);
    assert.equal(isZipBuffer(zip), true);
    const { temp } = await sandbox();
    const svc = await prepareService(zip, temp);
    assert.equal(svc.rootInBundle, 'repo-master');
    assert.deepEqual(svc.files, ['index.js', 'manifest.json', 'sub/manifest.json']);
    assert.equal(await readFile(join(svc.root, 'index.js'), 'utf8'), 'module.exports = 1;');
    assert.equal(svc.checksum, adler32(zip).toString(16));
    assert.deepEqual(svc.bundle, zip);
  });

  it('refuses a bundle without manifest with 3012', async () => {
    const { temp } = await sandbox();
    await assert.rejects(prepareService(zipFiles([['index.js', Buffer.from('x')]]), temp), (err: unknown) => isArangoError(err) && err.errorNum === 3012);
  });

  it('wraps a single JS file with a generated manifest', async () => {
    const { temp } = await sandbox();
    const svc = await prepareService(Buffer.from('module.exports = 42;'), temp);
    assert.equal(await readFile(join(svc.root, 'manifest.json'), 'utf8'), '{\n    "main": "index.js"\n}');
    assert.equal(await readFile(join(svc.root, 'index.js'), 'utf8'), 'module.exports = 42;');
    assert.equal(isZipBuffer(svc.bundle), true);
  });

  it('zips folders deterministically and installs from a server path', async () => {
    const a = await zipDirectory(join(FIXTURES, 'hello'));
    const b = await zipDirectory(join(FIXTURES, 'hello'));
    assert.deepEqual(a, b);
    const { temp } = await sandbox();
    const svc = await prepareService({ path: join(FIXTURES, 'hello') }, temp);
    assert.deepEqual(svc.files, ['README.md', 'index.js', 'manifest.json', 'test/hello.js']);
    assert.equal(svc.checksum, bundleChecksum(a));
    const { temp: missing } = await sandbox();
    await assert.rejects(prepareService({ path: join(FIXTURES, 'nope') }, missing), (err: unknown) => isArangoError(err) && err.errorNum === 3014);
  });

  it('refuses folders containing symlinks', async () => {
    const { outer, temp } = await sandbox();
    const dir = join(outer, 'svc');
    await mkdir(dir);
    await writeFile(join(dir, 'manifest.json'), '{}');
    await symlink('/etc/passwd', join(dir, 'leak'));
    await assert.rejects(prepareService({ path: dir }, temp), (err: unknown) => isArangoError(err) && err.errorNum === 3015);
  });

  it('refuses path traversal, absolute paths, drive letters and backslashes', async () => {
    const manifest = { name: 'manifest.json', data: Buffer.from('{}') };
    await assertRefused(craftZip([manifest, { name: '../x', data: Buffer.from('evil') }]), /escapes|relative path/);
    await assertRefused(craftZip([manifest, { name: 'a/../../x', data: Buffer.from('evil') }]), /escapes|relative path/);
    await assertRefused(craftZip([manifest, { name: '/tmp/x', data: Buffer.from('evil') }]), /absolute/);
    await assertRefused(craftZip([manifest, { name: 'C:/x', data: Buffer.from('evil') }]), /absolute/);
    await assertRefused(craftZip([manifest, { name: '..\\x', data: Buffer.from('evil') }]), /backslash|invalid characters/);
  });

  it('refuses symlink entries, encrypted entries and duplicates', async () => {
    const manifest = { name: 'manifest.json', data: Buffer.from('{}') };
    await assertRefused(craftZip([manifest, { name: 'link', data: Buffer.from('/etc/passwd'), method: 0, externalAttributes: (0o120777 << 16) >>> 0 }]), /symbolic link/);
    await assertRefused(craftZip([manifest, { name: 'secret.js', data: Buffer.from('x'), flags: 1 }]), /encrypted/);
    await assertRefused(craftZip([manifest, { name: 'a.js', data: Buffer.from('1') }, { name: 'a.js', data: Buffer.from('2') }]), /duplicate/);
    await assertRefused(craftZip([manifest, { name: 'A.js', data: Buffer.from('1') }, { name: 'a.js', data: Buffer.from('2') }]), /duplicate/);
  });

  it('refuses truncated and malformed zips', async () => {
    const good = zipFiles([['manifest.json', Buffer.from('{}')], ['index.js', Buffer.alloc(5000, 97)]]);
    await assertRefused(good.subarray(0, good.length - 30), /not a readable zip/);
    await assertRefused(good.subarray(0, 200), /not a readable zip/);
    const corrupt = Buffer.from(good);
    corrupt.fill(0xff, 60, 120);
    await assertRefused(corrupt, /Invalid service bundle/);
  });

  it('refuses overlapping entries and too many entries', async () => {
    const manifest = { name: 'manifest.json', data: Buffer.from('{}') };
    await assertRefused(craftZip([manifest, { name: 'b.js', data: Buffer.from('x'.repeat(100)), forceOffset: 0 }]), /overlap/);
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.js`, data: Buffer.from('x') }));
    await assertRefused(craftZip([manifest, ...many]), /more than 10 entries/, { maxEntries: 10 });
  });

  describe('zip bombs', () => {
    let gigabyte: Buffer;
    before(async () => {
      gigabyte = await deflatedZeros(GB);
    });

    it('refuses 1 GB of zeros declared honestly (before inflating)', async () => {
      assert.ok(gigabyte.length < 2 * 1024 * 1024);
      await assertRefused(craftZip([{ name: 'manifest.json', data: Buffer.from('{}') }, { name: 'zeros.bin', compressed: gigabyte, uncompressedSize: GB }]), /expands beyond/);
    });

    it('refuses 1 GB of zeros whose header lies about its size (while inflating)', async () => {
      await assertRefused(craftZip([{ name: 'manifest.json', data: Buffer.from('{}') }, { name: 'zeros.bin', compressed: gigabyte, uncompressedSize: 1000 }]), /Invalid service bundle/);
    });

    it('stops at the compression ratio limit while inflating', async () => {
      const zeros = await deflatedZeros(8 * 1024 * 1024);
      await assertRefused(craftZip([{ name: 'manifest.json', data: Buffer.from('{}') }, { name: 'zeros.bin', compressed: zeros, uncompressedSize: 8 * 1024 * 1024 }]), /compression ratio/);
    });

    it('stops at the total size limit', async () => {
      const files = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.bin`, data: Buffer.alloc(1024 * 1024, i + 1), method: 0 as const }));
      await assertRefused(craftZip([{ name: 'manifest.json', data: Buffer.from('{}') }, ...files]), /bundle expands beyond/, { maxTotalBytes: 3 * 1024 * 1024 });
    });
  });

  it('extractZip refuses an existing destination', async () => {
    const { temp } = await sandbox();
    await assert.rejects(extractZip(zipFiles([['a', Buffer.from('a')]]), temp));
  });
});
