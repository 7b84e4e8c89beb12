import type { IKeyValue } from 'etcd3';
import { decodeLeaderValue, type LeaderInfo } from './records.ts';

/**
 * Converts an etcd revision (int64 as a decimal string) to a number. Revisions count writes, so
 * they stay far below 2^53; a larger one means corrupted input and throws `RangeError`.
 */
export function toRevision(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid etcd revision '${text}'`);
  return n;
}

/** Reads a `leader` key-value; `null` when its value is not a leader record. */
export function leaderFromKeyValue(kv: IKeyValue): LeaderInfo | null {
  const value = decodeLeaderValue(kv.value.toString('utf8'));
  if (value === null) return null;
  return { value, term: toRevision(kv.create_revision), leaseId: kv.lease };
}
