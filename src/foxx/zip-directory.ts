import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { ArangoError } from '../errors/index.ts';

// Fixed local time (2000-01-01 00:00) so the same files always give the same bytes, and thus the
// same checksum (fflate writes DOS timestamps from local date parts).
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);

/**
 * Lists the regular files below `dir` as sorted, `/`-separated relative paths.
 * Throws `ERROR_SERVICE_SOURCE_ERROR` for symbolic links or special files (a service folder must
 * not point outside itself).
 */
export async function listDirectoryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const info = await lstat(childAbs);
      if (info.isDirectory()) await walk(childAbs, childRel);
      else if (info.isFile()) out.push(childRel);
      else throw new ArangoError('ERROR_SERVICE_SOURCE_ERROR', `error resolving source\nNot a regular file: ${childRel}`);
    }
  }
  await walk(dir, '');
  return out.sort();
}

/** Zips `[name, bytes]` pairs deterministically (given order, fixed timestamps, deflate level 6). */
export function zipFiles(files: ReadonlyArray<readonly [string, Uint8Array]>): Buffer {
  const tree: Zippable = {};
  for (const [name, data] of files) tree[name] = [data, { mtime: FIXED_MTIME }];
  const zipped = zipSync(tree, { level: 6 });
  return Buffer.from(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}

/**
 * Zips every regular file below `dir` (sorted paths, fixed timestamps) into a Buffer, the way
 * ArangoDB builds bundles from folders. Throws `ERROR_SERVICE_SOURCE_ERROR` for symlinks.
 */
export async function zipDirectory(dir: string): Promise<Buffer> {
  const names = await listDirectoryFiles(dir);
  const files: Array<readonly [string, Uint8Array]> = [];
  for (const name of names) files.push([name, await readFile(join(dir, ...name.split('/')))]);
  return zipFiles(files);
}
