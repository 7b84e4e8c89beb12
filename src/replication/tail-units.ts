import type { LogEntry } from '../storage/index.ts';
import { encodeEntry } from './wire.ts';

/**
 * Write transactions as units of replication. Every entry of one write transaction but its last
 * carries `more` (storage `LogUnitWriter`); an entry without it ends its unit. The leader never
 * ends a tail answer inside a unit ({@link collectTail}); a follower applies an answer's units in
 * one transaction each (or several together) and never a part of one ({@link completeUnits}).
 */

/** One tail answer: its lines, the newest shipped tick, the newest tick looked at. */
export interface TailChunk {
  readonly lines: string[];
  readonly lastIncluded: number;
  readonly lastScanned: number;
}

export interface TailLimits {
  /** Bytes after which the answer ends, at the next end of a unit. */
  readonly chunkBytes: number;
  /** Entries after which the answer ends, at the next end of a unit. */
  readonly maxEntries: number;
  /** Whether an entry goes into this tail (database filter, local-only collections). */
  readonly ship: (e: LogEntry) => boolean;
}

/**
 * Takes entries (ascending ticks) for one tail answer. The size limits are checked only where a
 * unit ends, so an answer holds whole units and grows past `chunkBytes` / `maxEntries` by at most
 * the rest of the unit it is in (a unit is one write transaction: its size is bounded by what its
 * writer held, e.g. a stream transaction's `maxTransactionSize`).
 *
 * Filtered tails: when the entry that ends a unit is not shipped (another database's), the last
 * shipped entry of that unit is sent as its end instead. When the range given stops inside a unit
 * (a `to` below the unit's end), that unfinished unit is left out: the answer ends at the last
 * unit end seen.
 */
export function collectTail(entries: Iterable<LogEntry>, limits: TailLimits): TailChunk {
  const lines: string[] = [];
  let size = 0;
  let lastIncluded = 0;
  let lastScanned = 0;
  /** The newest shipped entry whose unit has not ended yet, and its line's index. */
  let open: { entry: LogEntry; at: number } | null = null;
  let inUnit = false;
  let atEnd = { lines: 0, lastIncluded: 0, lastScanned: 0 };
  for (const e of entries) {
    lastScanned = e.tick;
    inUnit = e.more === true;
    if (limits.ship(e)) {
      const line = encodeEntry(e, inUnit);
      lines.push(line);
      size += line.length;
      lastIncluded = e.tick;
      open = inUnit ? { entry: e, at: lines.length - 1 } : null;
    } else if (!inUnit && open) {
      // the unit ends with an entry this tail leaves out: its last shipped entry ends it here
      const line = encodeEntry(open.entry, false);
      size += line.length - (lines[open.at]?.length ?? 0);
      lines[open.at] = line;
      open = null;
    }
    if (inUnit) continue;
    atEnd = { lines: lines.length, lastIncluded, lastScanned };
    if (size >= limits.chunkBytes || lines.length >= limits.maxEntries) break;
  }
  if (inUnit) {
    lines.length = atEnd.lines;
    return { lines, lastIncluded: atEnd.lastIncluded, lastScanned: atEnd.lastScanned };
  }
  return { lines, lastIncluded, lastScanned };
}

/**
 * The whole units at the start of a tail answer, and how many entries after them belong to a unit
 * the answer does not finish. kitsune's leaders never send such a rest; a follower holds it back
 * (applies nothing of it and asks again from the end of the last whole unit) rather than apply a
 * part of a transaction.
 */
export function completeUnits(entries: readonly LogEntry[]): { readonly whole: readonly LogEntry[]; readonly heldBack: number } {
  let n = entries.length;
  while (n > 0 && entries[n - 1]?.more === true) n--;
  return n === entries.length ? { whole: entries, heldBack: 0 } : { whole: entries.slice(0, n), heldBack: entries.length - n };
}
