import type { Document } from '../../storage/index.ts';

/**
 * The writes of a modification query run in a query worker, sent to the main thread to apply.
 * Per written key: its `_rev` in the worker's snapshot (null = absent), and its new version
 * (null = removed). The main thread applies them only if every key still has that `_rev`.
 */
export interface WriteSet {
  readonly collections: readonly WriteSetCollection[];
  /** Number of entries over all collections. */
  readonly size: number;
}

export interface WriteSetCollection {
  readonly cid: string;
  readonly name: string;
  /** [key, base `_rev` or null, new document or null]. */
  readonly entries: readonly (readonly [string, string | null, Document | null])[];
}
