export { StorageEngine, type StorageOptions, type CommitListener } from './engine.ts';
export { Collection, isDocumentHandle, MAX_DOCUMENT_BYTES, type WriteContext } from './collection.ts';
export * as catalog from './catalog-ops.ts';
export { OperationLog, type LogRetention } from './oplog.ts';
export { generateKey, isValidKey, isValidDatabaseName, isValidCollectionName, encodeRevision, decodeRevision, type KeyOptions } from './keys.ts';
export { encodeIndexValue, indexKey, indexValues, readPath, type IndexKeyPart } from './index-codec.ts';
export { mergePatch, isPlainObject } from './document-merge.ts';
export * from './types.ts';
export { TtlSweeper } from './ttl-sweeper.ts';
