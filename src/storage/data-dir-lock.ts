import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// fs-native-extensions ships prebuilt binaries in its npm package; on Linux `tryLock` takes an
// exclusive open-file-description lock (fcntl F_OFD_SETLK): held by this open file, released
// only when it is closed or the process dies, and not by other descriptors of the same file.
const requireCjs = createRequire(import.meta.url);
const { tryLock } = requireCjs('fs-native-extensions') as { tryLock(fd: number): boolean };

/**
 * The files locked: `LOCK` (holds our pid, for operators) and the LMDB data file itself
 * (`kitsune.lmdb`, opened by storage/engine.ts). Deleting `LOCK` only removes a name: a second
 * server still finds the data file locked, and the data file cannot be removed without removing
 * the data it protects.
 */
const LOCKED_FILES = ['LOCK', 'kitsune.lmdb'] as const;

/**
 * Claims a data directory for this process with OS-level locks (see `LOCKED_FILES`). A lock left
 * by a dead process is gone with it; a live holder makes the start fail clearly. Returns the
 * release function (closing the files drops the locks).
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const fds: number[] = [];
  const closeAll = (): void => {
    for (const fd of fds.splice(0)) fs.closeSync(fd);
  };
  for (const name of LOCKED_FILES) {
    // `a+` creates a missing file without truncating an existing one (the data file!)
    const fd = fs.openSync(path.join(dataDir, name), 'a+', 0o600);
    fds.push(fd);
    if (!tryLock(fd)) {
      closeAll();
      throw new Error(`data directory ${dataDir} is in use by another kitsune process${holder(dataDir)}`);
    }
  }
  const lockFile = path.join(dataDir, 'LOCK');
  const lockFd = fds[0] as number;
  fs.ftruncateSync(lockFd, 0);
  fs.writeSync(lockFd, String(process.pid), 0);
  const ino = fs.fstatSync(lockFd).ino;
  return () => {
    try {
      if (fs.statSync(lockFile).ino === ino) fs.unlinkSync(lockFile);
    } catch {
      // already gone: nothing to remove
    }
    closeAll();
  };
}

function holder(dataDir: string): string {
  try {
    const pid = fs.readFileSync(path.join(dataDir, 'LOCK'), 'utf8').trim();
    return /^\d+$/.test(pid) ? ` (pid ${pid})` : '';
  } catch {
    return '';
  }
}
