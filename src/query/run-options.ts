import { randomFillSync } from 'node:crypto';
import type { QueryOptions } from '../aql/index.ts';

/** Query options as `/_api/cursor` and `db._query` accept them. */
export interface RunOptions {
  readonly fullCount?: boolean;
  readonly maxRuntime?: number;
  readonly memoryLimit?: number;
  readonly failOnWarning?: boolean;
  readonly maxWarningCount?: number;
  /** Stream results batch by batch instead of computing them all up front. */
  readonly stream?: boolean;
}

/** The engine's options for a query's run options. */
export function toAqlOptions(o: RunOptions): { -readonly [K in keyof RunOptions]: RunOptions[K] } & QueryOptions {
  const out: { -readonly [K in keyof QueryOptions]: QueryOptions[K] } = {};
  if (o.fullCount !== undefined) out.fullCount = o.fullCount;
  if (o.maxRuntime !== undefined) out.maxRuntime = o.maxRuntime;
  if (o.memoryLimit !== undefined) out.memoryLimit = o.memoryLimit;
  if (o.failOnWarning !== undefined) out.failOnWarning = o.failOnWarning;
  if (o.maxWarningCount !== undefined) out.maxWarningCount = o.maxWarningCount;
  return out;
}

/** Random bytes for ids, drawn from the CSPRNG 4 KiB at a time (one call per id cost ~5 % of a small query). */
const idBytes = Buffer.alloc(4096);
let idOffset = idBytes.length;

/** Cursor and query ids: 15 random decimal digits (ArangoDB's ids are numeric strings), not guessable. */
export function newId(): string {
  if (idOffset >= idBytes.length) {
    randomFillSync(idBytes);
    idOffset = 0;
  }
  const v = idBytes.readBigUInt64BE(idOffset);
  idOffset += 8;
  return (v % 10n ** 15n).toString().padStart(15, '1');
}
