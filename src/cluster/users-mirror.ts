import type { UserStore } from '../auth/index.ts';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';

/**
 * Users live in `_system/_users` on the leader of `_system`; every other DB-server keeps a copy so it
 * can authenticate and authorise requests for the databases it leads. A coordinator that changed a
 * user asks each DB-server to copy `_users` from the `_system` leader before it acknowledges, so a
 * user created through one coordinator can log in through every other at once.
 */
export async function mirrorUsers(engine: StorageEngine, users: UserStore, source: string, authorization: string): Promise<number> {
  const res = await fetch(`${source}/_db/_system/_api/cursor`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'FOR u IN _users RETURN u', batchSize: 100_000 }),
    signal: AbortSignal.timeout(5000),
  }).catch((cause: unknown) => {
    throw new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `cannot reach the _system leader at ${source}`, { cause });
  });
  const body = (await res.json().catch(() => null)) as { result?: unknown } | null;
  if (!res.ok || !Array.isArray(body?.result)) throw new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `the _system leader at ${source} answered ${res.status}`);
  const docs = body.result as Array<Record<string, unknown>>;
  const coll = engine.collection('_system', '_users');
  await engine.writeAtomic((tx) => {
    for (const d of [...coll.all()]) coll.remove(tx, d._key);
    for (const d of docs) {
      const { _id: _ignoredId, _rev: _ignoredRev, ...rest } = d;
      coll.insert(tx, rest);
    }
  });
  users.invalidate();
  return docs.length;
}
