import { isSecretCollection } from '../auth/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import type { AccessLevel, AccessSnapshot } from './guarded-data-source.ts';
import type { QueryCaller } from './query-service.ts';

/**
 * What `caller` may touch in `database`, as every AQL query and JavaScript transaction checks it:
 * the server itself everything, admins everything but the secret collections
 * ({@link isSecretCollection}), others their level on each collection.
 */
export function accessSnapshot(engine: StorageEngine, database: string, caller: QueryCaller): AccessSnapshot {
  if (caller.isAdmin) {
    // admins touch every collection except the secret ones (password hashes, other bundles, tokens)
    if (caller.isServer === true) return { all: true };
    const secret: Record<string, AccessLevel> = {};
    for (const c of engine.collections(database)) if (isSecretCollection(database, c.name)) secret[c.name] = 'none';
    return Object.keys(secret).length === 0 ? { all: true } : { all: false, levels: secret, fallback: 'rw' };
  }
  const levels: Record<string, AccessLevel> = {};
  for (const c of engine.collections(database)) levels[c.name] = caller.level(c.name);
  return { all: false, levels, fallback: caller.level('') };
}
