import { fulltextEntries } from './fulltext-index.ts';
import { geoEntries } from './geo-region.ts';
import type { IndexKeyPart } from './index-codec.ts';
import { mdiEntries } from './mdi-index.ts';
import type { IndexDefinition } from './types.ts';

/** One lmdb entry of an index whose entries are computed per document (not a persistent index). */
export interface IndexEntry {
  readonly key: IndexKeyPart[];
  readonly value: string;
}

/** Index types the storage keeps entries for; the other accepted types (inverted, ttl) are catalog entries. */
export function isStoredIndex(ix: Pick<IndexDefinition, 'type'>): boolean {
  return ix.type === 'persistent' || ix.type === 'geo' || ix.type === 'fulltext' || ix.type === 'mdi' || ix.type === 'mdi-prefixed';
}

/** The entries of a document in a geo, fulltext or mdi index (geo-region.ts, fulltext-index.ts, mdi-index.ts). */
export function derivedEntries(doc: Record<string, unknown> & { _key: string }, ix: IndexDefinition): IndexEntry[] {
  if (ix.type === 'geo') return geoEntries(doc, ix);
  if (ix.type === 'fulltext') return fulltextEntries(doc, ix);
  if (ix.type === 'mdi' || ix.type === 'mdi-prefixed') return mdiEntries(doc, ix);
  return [];
}
