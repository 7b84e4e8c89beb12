import fs from 'node:fs';
import type { Logger } from 'pino';
import { ArangoError, isArangoError } from '../errors/index.ts';

/** LMDB's "environment mapsize reached" (the map is the data file's size limit). */
export const MDB_MAP_FULL = -30792;
const FULL_CODES = new Set<unknown>([28, 122, MDB_MAP_FULL, 'ENOSPC', 'EDQUOT']);
const EIO_CODES = new Set<unknown>([5, 'EIO']);
/** Below this much free space an I/O error while committing is taken for a full file system. */
const LOW_SPACE_BYTES = 64 * 1024 * 1024;

/**
 * lmdb-js rejects a failed commit with a generic "Commit failed" whose `commitError` is a promise
 * rejected with the real error (errno); it also leaves that promise, and an internal one, without
 * handlers. This digs out the real error, within a short deadline.
 */
async function rootCause(err: unknown): Promise<unknown> {
  const inner = (err as { commitError?: unknown } | null)?.commitError;
  if (!(inner instanceof Promise)) return err;
  return Promise.race([
    inner.then(
      () => err,
      (e: unknown) => e,
    ),
    new Promise<unknown>((resolve) => setTimeout(() => resolve(err), 1000).unref()),
  ]);
}

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function freeBytes(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Free space the data directory's file system needs before writes are tried again after it was
 * full: 64 MiB, or a tenth of a smaller file system (at least 1 MiB).
 */
function resumeBytes(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return Math.min(LOW_SPACE_BYTES, Math.max(1024 * 1024, (s.blocks * s.bsize) / 10));
  } catch {
    return 0;
  }
}

/**
 * Turns an error from an LMDB commit into the ArangoDB error a client gets: a full file system
 * (ENOSPC, EDQUOT, MDB_MAP_FULL, or EIO with the data directory's file system (nearly) full, which
 * is how a failed write into a full tmpfs surfaces) is 1104 `ERROR_ARANGO_FILESYSTEM_FULL`, any
 * other I/O failure 1305. Errors thrown by the write itself (conflicts, …) pass unchanged.
 */
export async function commitErrorOf(err: unknown, dataDir: string): Promise<unknown> {
  if (isArangoError(err)) return err;
  const cause = await rootCause(err);
  const code = codeOf(cause);
  const isLmdb = cause !== err || typeof code === 'number';
  if (!isLmdb) return err;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (FULL_CODES.has(code) || (EIO_CODES.has(code) && freeBytes(dataDir) < LOW_SPACE_BYTES)) {
    return new ArangoError('ERROR_ARANGO_FILESYSTEM_FULL', `filesystem full: cannot write to the data directory (${detail})`, { cause });
  }
  return new ArangoError('ERROR_ARANGO_IO_ERROR', `storage engine I/O error: ${detail}`, { cause });
}

let guardInstalled = false;

/**
 * Keeps lmdb-js's unhandled commit-failure promises from ending the process (the failure itself
 * reaches the writer through the rejected write). Any other unhandled rejection still ends the
 * process, as Node does by default.
 */
export function guardCommitRejections(log: Logger): void {
  if (guardInstalled) return;
  guardInstalled = true;
  process.on('unhandledRejection', (reason: unknown) => {
    const commitError = (reason as { commitError?: unknown } | null)?.commitError;
    if (reason instanceof Error && reason.message.startsWith('Commit failed') && commitError instanceof Promise) {
      commitError.catch(() => undefined);
      log.debug({ err: reason }, 'lmdb commit failure (already reported to its writers)');
      return;
    }
    if (codeOf(reason) !== undefined && typeof codeOf(reason) === 'number' && reason instanceof Error && /lmdb|mdb_|No space|Input\/output/i.test(`${reason.stack ?? ''} ${reason.message}`)) {
      log.debug({ err: reason }, 'lmdb write error (already reported to its writers)');
      return;
    }
    // a background writer that did not handle its failed write while the disk is full: the outage
    // is already logged and shown in /_admin/status; the server must not die of it
    if (isArangoError(reason) && (reason.errorNum === 1104 || reason.errorNum === 1305)) {
      log.warn({ errorNum: reason.errorNum }, `a background write failed: ${reason.message}`);
      return;
    }
    throw reason;
  });
}

/** What `/_admin/status` and the log tell about the data directory's writability. */
export interface WriteHealth {
  readonly writable: boolean;
  readonly errorNum?: number;
  readonly errorMessage?: string;
  /** ISO time of the first failed commit of the current outage. */
  readonly since?: string;
  readonly failedCommits?: number;
}

/**
 * Tracks a write outage: the first failed commit logs why (once) and starts a probe that commits
 * nothing every second; the first good commit ends the outage and logs the recovery. While the
 * file system is full, writes are refused with 1104 before they reach LMDB (its out-of-space
 * paths, spilling a large transaction above all, are the least exercised ones), and the probe
 * waits until there is room again.
 */
export class WriteHealthTracker {
  readonly #dataDir: string;
  readonly #log: Logger;
  readonly #probe: () => void;
  #outage: { errorNum: number; errorMessage: string; since: Date; failedCommits: number } | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string, log: Logger, probe: () => void) {
    this.#dataDir = dataDir;
    this.#log = log;
    this.#probe = probe;
  }

  get status(): WriteHealth {
    const o = this.#outage;
    if (!o) return { writable: true };
    return { writable: false, errorNum: o.errorNum, errorMessage: o.errorMessage, since: o.since.toISOString(), failedCommits: o.failedCommits };
  }

  /** Maps a failed commit to the error its writers get; a storage failure starts (or extends) the outage. */
  async failed(err: unknown): Promise<unknown> {
    const failure = await commitErrorOf(err, this.#dataDir);
    if (!(failure instanceof ArangoError) || (failure.errorNum !== 1104 && failure.errorNum !== 1305)) return failure;
    if (this.#outage) {
      this.#outage.failedCommits++;
      return failure;
    }
    this.#outage = { errorNum: failure.errorNum, errorMessage: failure.message, since: new Date(), failedCommits: 1 };
    this.#log.error(
      { errorNum: failure.errorNum, dataDir: this.#dataDir, cause: String(failure.cause ?? '') },
      `writes are failing: ${failure.message}; reads go on, writes resume by themselves once space is freed`,
    );
    this.#timer = setInterval(() => {
      if (this.refusal() === undefined) this.#probe();
    }, 1000);
    this.#timer.unref();
    return failure;
  }

  /** The error a write gets without being tried: the file system is still full after a 1104. */
  refusal(): ArangoError | undefined {
    const o = this.#outage;
    if (o?.errorNum !== 1104 || freeBytes(this.#dataDir) >= resumeBytes(this.#dataDir)) return undefined;
    o.failedCommits++;
    return new ArangoError('ERROR_ARANGO_FILESYSTEM_FULL', o.errorMessage);
  }

  succeeded(): void {
    const o = this.#outage;
    if (!o) return;
    this.#outage = undefined;
    this.close();
    this.#log.warn({ failedCommits: o.failedCommits, outageMs: Date.now() - o.since.getTime() }, 'writes succeed again (storage recovered)');
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
