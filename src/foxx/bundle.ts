import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ArangoError } from '../errors/index.ts';
import { bundleChecksum, sha256Hex } from './signature.ts';
import { zipDirectory, zipFiles } from './zip-directory.ts';
import { extractZip, type ZipLimits } from './zip-extract.ts';

/** Where a service comes from: uploaded bytes (zip or single JS file), or a path on this server. */
export type ServiceSource = Uint8Array | { readonly path: string };

/** Options for {@link prepareService}. */
export interface PrepareServiceOptions {
  readonly limits?: Partial<ZipLimits>;
}

/** A validated, extracted service ready for manifest checks. */
export interface PreparedService {
  /** Absolute path of the service root (the folder of the shallowest `manifest.json`). */
  readonly root: string;
  /** Root relative to the extraction folder (`""` or e.g. `repo-master`). */
  readonly rootInBundle: string;
  /** The bundle zip to store in `_appbundles` (the uploaded zip itself, or a generated one). */
  readonly bundle: Buffer;
  /** ArangoDB's checksum of `bundle` (adler32 hex). */
  readonly checksum: string;
  /** SHA-256 hex of `bundle`. */
  readonly sha256: string;
  /** Files of the service, relative to `root`, sorted. */
  readonly files: string[];
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** True when the bytes start with a zip local file header (`PK\x03\x04`), as ArangoDB's `isZipBuffer`. */
export function isZipBuffer(data: Uint8Array): boolean {
  return data.length >= 4 && ZIP_MAGIC.every((byte, i) => data[i] === byte);
}

/** Wraps a single JS file as a bundle with the generated manifest `{"main": "index.js"}` (spec §1.1). */
export function singleFileBundle(script: Uint8Array): Buffer {
  const manifest = Buffer.from(JSON.stringify({ main: 'index.js' }, null, 4));
  return zipFiles([
    ['index.js', script],
    ['manifest.json', manifest],
  ]);
}

/**
 * Picks the service root among extracted files: the folder of the `manifest.json` with the
 * shortest path (ties: alphabetical). Throws `ERROR_SERVICE_MANIFEST_NOT_FOUND` (3012) when none.
 */
export function findServiceRoot(files: readonly string[]): string {
  const manifests = files.filter((f) => f === 'manifest.json' || f.endsWith('/manifest.json'));
  manifests.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const first = manifests[0];
  if (first === undefined) throw new ArangoError('ERROR_SERVICE_MANIFEST_NOT_FOUND', 'missing manifest file\nNo manifest.json found in the service bundle.');
  const dir = posix.dirname(first);
  return dir === '.' ? '' : dir;
}

async function resolveBundle(source: ServiceSource): Promise<{ bundle: Buffer; fallbackToScript: boolean }> {
  if (source instanceof Uint8Array) {
    const data = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    return isZipBuffer(data) ? { bundle: data, fallbackToScript: false } : { bundle: singleFileBundle(data), fallbackToScript: false };
  }
  const info = await stat(source.path).catch(() => undefined);
  if (info === undefined) throw new ArangoError('ERROR_SERVICE_SOURCE_NOT_FOUND', `source path not found\nLocation: ${source.path}`);
  if (info.isDirectory()) return { bundle: await zipDirectory(source.path), fallbackToScript: false };
  const data = await readFile(source.path);
  // A server-side file is tried as a zip and falls back to a single JS file (spec §1.1 item 4).
  return isZipBuffer(data) ? { bundle: data, fallbackToScript: true } : { bundle: singleFileBundle(data), fallbackToScript: false };
}

/**
 * Turns a source into an extracted, validated service below `tempDir` (which the caller owns
 * and later removes): zip bytes are checked and extracted as they are, other bytes become a
 * single-file service, a server path is zipped (folder) or read (file) first. Nothing is written
 * outside `tempDir`.
 * Throws `ERROR_SERVICE_SOURCE_ERROR` (3015) for hostile/broken zips, `ERROR_SERVICE_SOURCE_NOT_FOUND`
 * (3014) for a missing path, `ERROR_SERVICE_MANIFEST_NOT_FOUND` (3012) when no manifest exists.
 */
export async function prepareService(source: ServiceSource, tempDir: string, options: PrepareServiceOptions = {}): Promise<PreparedService> {
  let { bundle, fallbackToScript } = await resolveBundle(source);
  const extractDir = join(tempDir, 'service');
  let files: string[];
  try {
    files = await extractZip(bundle, extractDir, options.limits);
  } catch (err) {
    if (!fallbackToScript) throw err;
    bundle = singleFileBundle(bundle);
    files = await extractZip(bundle, extractDir, options.limits);
  }
  const rootInBundle = findServiceRoot(files);
  const prefix = rootInBundle === '' ? '' : `${rootInBundle}/`;
  return {
    root: rootInBundle === '' ? extractDir : join(extractDir, ...rootInBundle.split('/')),
    rootInBundle,
    bundle,
    checksum: bundleChecksum(bundle),
    sha256: sha256Hex(bundle),
    files: files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length)),
  };
}
