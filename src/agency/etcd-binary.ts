import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ArangoError } from '../errors/index.ts';

/** Where to look for the etcd server binary. */
export interface FindEtcdBinaryOptions {
  /** A configured path to the binary; when given, it is the only candidate. */
  readonly explicitPath?: string | undefined;
  /** A `PATH`-style list of directories (the caller passes its environment's `PATH`). */
  readonly searchPath?: string | undefined;
}

/** The Debian package that ships `/usr/bin/etcd`, named in error messages. */
export const ETCD_DEBIAN_PACKAGE = 'etcd-server';

/**
 * Finds an executable `etcd` binary: `explicitPath` if given, else the first `etcd` in
 * `searchPath`. Used by the test harness and by the starter that spawns a local agency.
 * Throws `ERROR_FILE_NOT_FOUND` naming the Debian package `etcd-server` when there is none.
 */
export async function findEtcdBinary(options: FindEtcdBinaryOptions): Promise<string> {
  if (options.explicitPath !== undefined) {
    if (await isExecutableFile(options.explicitPath)) return options.explicitPath;
    throw new ArangoError(
      'ERROR_FILE_NOT_FOUND',
      `etcd binary '${options.explicitPath}' does not exist or is not executable (install the Debian package '${ETCD_DEBIAN_PACKAGE}')`,
    );
  }
  const dirs = (options.searchPath ?? '').split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir));
  for (const dir of dirs) {
    const candidate = join(dir, 'etcd');
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new ArangoError(
    'ERROR_FILE_NOT_FOUND',
    `etcd is not installed: no executable 'etcd' on PATH; install the Debian package '${ETCD_DEBIAN_PACKAGE}' (apt-get install ${ETCD_DEBIAN_PACKAGE})`,
  );
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
