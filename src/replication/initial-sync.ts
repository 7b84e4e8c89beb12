import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import {
  EDGE_COLLECTION,
  type Collection,
  type CollectionDefinition,
  type CollectionType,
  type IndexDefinition,
  type KeyOptions,
  type StorageEngine,
  type WriteContext,
} from '../storage/index.ts';
import { createCollectionIn, upsert } from './entry-applier.ts';
import type { LeaderClient } from './leader-client.ts';
import { ROLLBACK_COLLECTION } from './leader-feed.ts';
import { COPY_IN_PROGRESS, type ReplicationState } from './replication-state.ts';
import { revOf, splitLines } from './wire.ts';

export interface InventoryCollection {
  readonly parameters: {
    readonly id: string;
    readonly name: string;
    readonly type: number;
    readonly waitForSync?: boolean;
    readonly keyOptions: KeyOptions;
    readonly schema?: unknown;
    readonly counter?: number;
  };
  readonly indexes: readonly IndexDefinition[];
}

interface Inventory {
  readonly databases: Record<string, { readonly name: string; readonly id: string; readonly collections: readonly InventoryCollection[] }>;
}

/** Collaborators of one initial sync. */
export interface InitialSyncDeps {
  readonly engine: StorageEngine;
  readonly state: ReplicationState;
  readonly client: LeaderClient;
  readonly log: Logger;
  readonly onUsersChanged: () => void;
}

const PRIMARY: IndexDefinition = { id: '0', type: 'primary', name: 'primary', fields: ['_key'], unique: true, sparse: false };
const EDGE: IndexDefinition = { id: '1', type: 'edge', name: 'edge', fields: ['_from', '_to'], unique: false, sparse: false };
const FETCH_BATCH = 1000;

/**
 * Makes the local server mirror the leader, incrementally: catalog first (databases and
 * collections with the leader's ids and index ids; local ones the leader lacks are dropped),
 * then per collection either a full dump (empty locally) or a comparison of key/revision lists
 * that fetches only what differs and removes what the leader no longer has. Nothing is wiped.
 * The copy is not a point-in-time snapshot: it starts at the leader's tick S and tailing from S
 * replays every later change idempotently. Copied data is not written to the local operation
 * log; `completeFrom = S` records that the log is complete only after S. Returns S.
 * Since the copy may hold part of a transaction the leader committed while it ran, the leader's
 * tick at the end of the copy becomes `consistentAt`: the applier is not `tailing` (nor a failover
 * candidate) before it has replayed that far; a restart in the middle of the copy syncs again.
 */
export async function initialSync(d: InitialSyncDeps): Promise<number> {
  const { client, engine } = d;
  const batch = await client.json<{ id: string; lastTick: string }>('POST', '/_api/replication/batch', { ttl: 600 });
  const snapshot = Number(batch.lastTick);
  try {
    await engine.writeAtomic(() => d.state.putConsistentAt(COPY_IN_PROGRESS));
    const inv = await client.json<Inventory>('GET', `/_api/replication/inventory?global=true&batchId=${batch.id}`);
    await syncCatalog(engine, inv, snapshot);
    let fetched = 0;
    let removed = 0;
    for (const [dbName, db] of Object.entries(inv.databases)) {
      for (const ic of db.collections) {
        if (client.aborted) throw new ArangoError('ERROR_REPLICATION_APPLIER_STOPPED');
        const c = engine.collection(dbName, ic.parameters.id);
        const r = await syncCollection(d, dbName, c, snapshot);
        fetched += r.fetched;
        removed += r.removed;
      }
    }
    // every change the copy can have seen is committed at or below the leader's tick now
    const copied = Number((await client.json<{ tick: string }>('GET', '/_api/wal/lastTick')).tick);
    if (!Number.isSafeInteger(copied)) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', 'the leader reported no valid last tick');
    await engine.writeAtomic(() => {
      // Local entries after S are not the leader's history; the log restarts as a mirror at S.
      engine.oplog.truncateAfter(snapshot);
      d.state.putApplied(snapshot);
      d.state.putCompleteFrom(snapshot);
      d.state.putConsistentAt(copied);
    });
    await d.state.setLineage('follower');
    d.onUsersChanged();
    d.log.info({ leader: client.endpoint, tick: snapshot, fetched, removed }, 'initial sync finished');
    return snapshot;
  } finally {
    await client.request('DELETE', `/_api/replication/batch/${batch.id}`).catch(() => undefined);
  }
}

function quiet(tx: WriteContext): WriteContext {
  return { nextTick: () => tx.nextTick(), log: () => undefined, saveDefinition: (def) => tx.saveDefinition(def) };
}

export function toDefinition(database: string, ic: InventoryCollection): CollectionDefinition {
  const p = ic.parameters;
  const type = (p.type === EDGE_COLLECTION ? EDGE_COLLECTION : 2) as CollectionType;
  return {
    id: p.id,
    database,
    name: p.name,
    type,
    isSystem: p.name.startsWith('_'),
    waitForSync: p.waitForSync === true,
    keyOptions: p.keyOptions,
    schema: p.schema ?? null,
    indexes: [PRIMARY, ...(type === EDGE_COLLECTION ? [EDGE] : []), ...ic.indexes],
    counter: typeof p.counter === 'number' ? p.counter : 0,
  };
}

async function syncCatalog(engine: StorageEngine, inv: Inventory, snapshot: number): Promise<void> {
  const fixed = (): number => snapshot;
  for (const name of engine.databaseNames()) {
    if (name === '_system' || inv.databases[name]) continue;
    const cols = engine.collections(name);
    await engine.writeAtomic(() => {
      for (const c of cols) engine.removeCollection(c.definition);
      engine.removeDatabase(name);
    }, fixed);
    engine.unregisterDatabase(name);
  }
  for (const [name, db] of Object.entries(inv.databases)) {
    if (!engine.hasDatabase(name)) {
      const def = { name, id: db.id };
      await engine.writeAtomic(() => engine.putDatabase(def), fixed);
      engine.registerDatabase(def);
    }
    const wanted = new Map(db.collections.map((ic) => [ic.parameters.id, toDefinition(name, ic)]));
    const wantedNames = new Set(db.collections.map((ic) => ic.parameters.name));
    for (const c of engine.collections(name)) {
      if (c.name === ROLLBACK_COLLECTION || wanted.has(c.definition.id) || wantedNames.has(c.name)) continue;
      await engine.writeAtomic(() => engine.removeCollection(c.definition), fixed);
      engine.unregisterCollection(c.definition);
    }
    for (const def of wanted.values()) {
      const local = engine.findCollection(name, def.id);
      if (!local) {
        let after: () => void = () => undefined;
        await engine.writeAtomic(() => {
          after = createCollectionIn(engine, def);
        }, fixed);
        after();
        continue;
      }
      await alignCollection(engine, local, def, fixed);
    }
  }
}

/** Same collection id: align name, properties and persistent indexes with the leader's. */
export async function alignCollection(engine: StorageEngine, c: Collection, want: CollectionDefinition, fixed: () => number): Promise<void> {
  const have = c.definition;
  const oldName = c.name;
  const drop = have.indexes.filter((ix) => ix.type === 'persistent' && !want.indexes.some((w) => w.id === ix.id));
  const add = want.indexes.filter((ix) => ix.type === 'persistent' && !have.indexes.some((h) => h.id === ix.id));
  const def: CollectionDefinition = { ...have, name: want.name, waitForSync: want.waitForSync, schema: want.schema, keyOptions: want.keyOptions, indexes: want.indexes };
  if (drop.length === 0 && add.length === 0 && oldName === want.name && JSON.stringify(have) === JSON.stringify({ ...def, counter: have.counter })) return;
  if (oldName !== want.name) {
    const clash = engine.findCollection(have.database, want.name);
    if (clash && clash !== c) {
      await engine.writeAtomic(() => engine.removeCollection(clash.definition), fixed);
      engine.unregisterCollection(clash.definition);
    }
  }
  await engine.writeAtomic(() => {
    if (oldName !== want.name) c.rewriteIds(want.name);
    for (const ix of drop) c.clearIndex(ix.id);
    for (const ix of add) c.buildIndex(ix);
    engine.putCollection(def);
  }, fixed);
  c.setDefinition(def);
  if (oldName !== want.name) engine.renameRegistered(have.database, oldName, c);
}

export async function syncCollection(d: InitialSyncDeps, db: string, c: Collection, snapshot: number): Promise<{ fetched: number; removed: number }> {
  const fixed = (): number => snapshot;
  const base = `/_db/${encodeURIComponent(db)}/_api/replication`;
  const id = c.definition.id;
  if (c.count() === 0) {
    let fetched = 0;
    let after = '';
    for (;;) {
      const r = await d.client.request('GET', `${base}/dump?collection=${id}&startAfter=${encodeURIComponent(after)}&chunkSize=4194304&useEnvelope=false`);
      if (r.status === 204) break;
      if (r.status !== 200) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `dump of ${db}/${c.name} failed: ${r.status} ${r.text.slice(0, 200)}`);
      const docs = splitLines(r.text).map((l) => JSON.parse(l) as Record<string, unknown>);
      await d.engine.writeAtomic((tx) => {
        const q = quiet(tx);
        for (const doc of docs) upsert(q, c, doc);
      }, fixed);
      fetched += docs.length;
      after = r.headers.get('x-kitsune-dump-lastkey') ?? '';
      if (r.headers.get('x-arango-replication-checkmore') !== 'true' || after === '') break;
    }
    return { fetched, removed: 0 };
  }
  const list = await d.client.json<{ keys: Array<[string, string]> }>('GET', `${base}/kitsune/keys?collection=${id}`);
  const leader = new Map(list.keys);
  const stale: string[] = [];
  const wanted: string[] = [];
  for (const { key, value } of c.docs.getRange({})) {
    const rev = leader.get(key);
    if (rev === undefined) stale.push(key);
    else if (rev !== revOf(value)) wanted.push(key);
    leader.delete(key);
  }
  for (const key of leader.keys()) wanted.push(key);
  if (stale.length > 0) {
    await d.engine.writeAtomic((tx) => {
      const q = quiet(tx);
      for (const key of stale) if (c.getRaw(key)) c.remove(q, key, {});
    }, fixed);
  }
  for (let i = 0; i < wanted.length; i += FETCH_BATCH) {
    const keys = wanted.slice(i, i + FETCH_BATCH);
    const r = await d.client.request('PUT', `${base}/kitsune/documents?collection=${id}`, keys);
    if (r.status !== 200) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `fetching documents of ${db}/${c.name} failed: ${r.status}`);
    const docs = splitLines(r.text).map((l) => JSON.parse(l) as Record<string, unknown>);
    await d.engine.writeAtomic((tx) => {
      const q = quiet(tx);
      for (const doc of docs) upsert(q, c, doc);
    }, fixed);
  }
  return { fetched: wanted.length, removed: stale.length };
}
