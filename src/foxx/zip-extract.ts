import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ArangoError } from '../errors/index.ts';

/** Limits that stop hostile zips (bombs, entry floods) while they are being inflated. */
export interface ZipLimits {
  /** Most entries (files and directories) a bundle may have. */
  readonly maxEntries: number;
  /** Most bytes all files together may expand to. */
  readonly maxTotalBytes: number;
  /** Most bytes one file may expand to. */
  readonly maxFileBytes: number;
  /** Highest expanded/compressed ratio a file may reach once it is larger than `ratioCheckMinBytes`. */
  readonly maxCompressionRatio: number;
  /** Files smaller than this are never refused for their ratio (tiny files compress oddly). */
  readonly ratioCheckMinBytes: number;
}

/** Defaults generous enough for real services (node_modules included) and small enough for a server. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxFileBytes: 128 * 1024 * 1024,
  maxCompressionRatio: 200,
  ratioCheckMinBytes: 1024 * 1024,
};

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const LOCAL_HEADER_FIXED_BYTES = 30;

/** A hostile or broken bundle: `ERROR_SERVICE_SOURCE_ERROR` (3015, 400) with the reason. */
export function bundleError(reason: string, cause?: unknown): ArangoError {
  return new ArangoError('ERROR_SERVICE_SOURCE_ERROR', `error resolving source\nInvalid service bundle: ${reason}`, cause === undefined ? {} : { cause });
}

/**
 * Checks one entry name: relative, `/`-separated, no `.`/`..`/empty segments, no backslash,
 * drive letter or NUL. Returns the name without a trailing `/`, or throws {@link bundleError}.
 */
export function checkEntryName(name: string): string {
  const bare = name.endsWith('/') ? name.slice(0, -1) : name;
  if (bare === '') throw bundleError(`entry with an empty name`);
  if (name.includes('\\')) throw bundleError(`entry name contains a backslash: ${JSON.stringify(name)}`);
  if (name.includes('\0')) throw bundleError(`entry name contains a NUL byte: ${JSON.stringify(name)}`);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw bundleError(`entry has an absolute path: ${JSON.stringify(name)}`);
  for (const segment of bare.split('/')) {
    if (segment === '..') throw bundleError(`entry path escapes the bundle: ${JSON.stringify(name)}`);
    if (segment === '' || segment === '.') throw bundleError(`entry path is not normalised: ${JSON.stringify(name)}`);
  }
  return bare;
}

function openZip(zip: Uint8Array): Promise<yauzl.ZipFile> {
  const buffer = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  return new Promise((resolvePromise, reject) => {
    // strictFileNames keeps backslashes visible (yauzl would otherwise turn them into `/`).
    yauzl.fromBuffer(buffer, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true, decodeStrings: true }, (err, zipfile) => {
      if (err !== null) reject(bundleError(`not a readable zip file (${err.message})`, err));
      else resolvePromise(zipfile);
    });
  });
}

function readAllEntries(zipfile: yauzl.ZipFile, maxEntries: number): Promise<yauzl.Entry[]> {
  return new Promise((resolvePromise, reject) => {
    const entries: yauzl.Entry[] = [];
    zipfile.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) {
        zipfile.close();
        reject(bundleError(`more than ${maxEntries} entries`));
        return;
      }
      zipfile.readEntry();
    });
    zipfile.on('end', () => resolvePromise(entries));
    zipfile.on('error', (err: Error) => reject(bundleError(err.message, err)));
    zipfile.readEntry();
  });
}

interface PlannedEntry {
  readonly entry: yauzl.Entry;
  readonly name: string;
  readonly isDirectory: boolean;
}

function planEntries(entries: readonly yauzl.Entry[], limits: ZipLimits): PlannedEntry[] {
  const seen = new Set<string>();
  const planned: PlannedEntry[] = [];
  let declaredTotal = 0;
  for (const entry of entries) {
    const name = checkEntryName(entry.fileName);
    const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
    const type = mode & S_IFMT;
    if (type === S_IFLNK) throw bundleError(`entry is a symbolic link: ${JSON.stringify(entry.fileName)}`);
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw bundleError(`entry is not a regular file: ${JSON.stringify(entry.fileName)}`);
    if (entry.isEncrypted()) throw bundleError(`entry is encrypted: ${JSON.stringify(entry.fileName)}`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw bundleError(`entry uses unsupported compression method ${entry.compressionMethod}: ${JSON.stringify(entry.fileName)}`);
    }
    const key = name.toLowerCase();
    // Case-folded, so a bundle cannot overwrite its own files on a case-insensitive file system.
    if (seen.has(key)) throw bundleError(`duplicate entry: ${JSON.stringify(entry.fileName)}`);
    seen.add(key);
    const isDirectory = entry.fileName.endsWith('/') || type === S_IFDIR;
    if (!isDirectory) {
      if (entry.uncompressedSize > limits.maxFileBytes) throw bundleError(`entry ${JSON.stringify(name)} expands beyond ${limits.maxFileBytes} bytes`);
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxTotalBytes) throw bundleError(`bundle expands beyond ${limits.maxTotalBytes} bytes`);
    }
    planned.push({ entry, name, isDirectory });
  }
  checkOverlaps(entries);
  return planned;
}

// Overlapping entries (several names sharing one compressed stream) are the classic
// non-recursive zip bomb; real archivers never produce them.
function checkOverlaps(entries: readonly yauzl.Entry[]): void {
  const ranges = entries
    .map((e) => ({ start: e.relativeOffsetOfLocalHeader, end: e.relativeOffsetOfLocalHeader + LOCAL_HEADER_FIXED_BYTES + e.fileNameLength + e.compressedSize, name: e.fileName }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1];
    const cur = ranges[i];
    if (prev !== undefined && cur !== undefined && cur.start < prev.end) throw bundleError(`entries overlap: ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)}`);
  }
}

class SizeGuard extends Transform {
  private written = 0;
  private readonly name: string;
  private readonly limits: ZipLimits;
  private readonly compressedSize: number;
  private readonly total: { bytes: number };

  constructor(name: string, compressedSize: number, limits: ZipLimits, total: { bytes: number }) {
    super();
    this.name = name;
    this.compressedSize = compressedSize;
    this.limits = limits;
    this.total = total;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.written += chunk.length;
    this.total.bytes += chunk.length;
    const l = this.limits;
    if (this.written > l.maxFileBytes) return callback(bundleError(`entry ${JSON.stringify(this.name)} expands beyond ${l.maxFileBytes} bytes`));
    if (this.total.bytes > l.maxTotalBytes) return callback(bundleError(`bundle expands beyond ${l.maxTotalBytes} bytes`));
    if (this.written > l.ratioCheckMinBytes && this.written > l.maxCompressionRatio * Math.max(this.compressedSize, 1)) {
      return callback(bundleError(`entry ${JSON.stringify(this.name)} exceeds the compression ratio limit of ${l.maxCompressionRatio}`));
    }
    callback(null, chunk);
  }
}

function openEntryStream(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolvePromise, reject) => {
    zipfile.openReadStream(entry, (err, stream) => {
      if (err !== null) reject(bundleError(`cannot read entry ${JSON.stringify(entry.fileName)} (${err.message})`, err));
      else resolvePromise(stream);
    });
  });
}

function targetPath(root: string, name: string): string {
  const target = resolve(root, ...name.split('/'));
  if (!target.startsWith(root + sep)) throw bundleError(`entry path escapes the bundle: ${JSON.stringify(name)}`);
  return target;
}

/**
 * Extracts a zip into `destDir`, which must not exist yet (it is created, and removed again when
 * anything fails). All entries are checked before anything is written (names, symlinks,
 * encryption, duplicates, overlaps, declared sizes); sizes are enforced again while inflating.
 * Returns the extracted file paths (relative, `/`-separated, sorted).
 * Throws `ERROR_SERVICE_SOURCE_ERROR` (3015) for hostile or broken zips.
 */
export async function extractZip(zip: Uint8Array, destDir: string, limits: Partial<ZipLimits> = {}): Promise<string[]> {
  const l: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const root = resolve(destDir);
  const zipfile = await openZip(zip);
  let created = false;
  try {
    const planned = planEntries(await readAllEntries(zipfile, l.maxEntries), l);
    await mkdir(root, { recursive: false });
    created = true;
    const total = { bytes: 0 };
    const files: string[] = [];
    for (const { entry, name, isDirectory } of planned) {
      const target = targetPath(root, name);
      if (isDirectory) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true }).catch((err: unknown) => {
        throw bundleError(`cannot create the folder of ${JSON.stringify(name)}`, err);
      });
      const stream = await openEntryStream(zipfile, entry);
      // `wx` never follows or replaces an existing path, so a second writer cannot clobber a file.
      await pipeline(stream, new SizeGuard(name, entry.compressedSize, l, total), createWriteStream(target, { flags: 'wx', mode: 0o644 })).catch((err: unknown) => {
        throw err instanceof ArangoError ? err : bundleError(`cannot extract ${JSON.stringify(name)} (${err instanceof Error ? err.message : String(err)})`, err);
      });
      files.push(name);
    }
    return files.sort();
  } catch (err) {
    if (created) await rm(root, { recursive: true, force: true });
    throw err;
  } finally {
    zipfile.close();
  }
}
