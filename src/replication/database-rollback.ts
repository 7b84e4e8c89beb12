import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import type { Router } from '../http/index.ts';
import type { LogEntry, StorageEngine } from '../storage/index.ts';
import type { LeaderClient } from './leader-client.ts';
import { ROLLBACK_COLLECTION } from './leader-feed.ts';
import type { ReplicationState } from './replication-state.ts';
import { ReplicationState as State } from './replication-state.ts';
import { keepRolledBack } from './rollback.ts';

/** DB-server route: whose log this server last followed for a database, and up to which of its ticks. */
export const FOLLOWED_PATH = '/_api/kitsune/replica/followed';
const SCAN_CHUNK = 1000;

/**
 * Cluster mode, leader side: `GET /_db/<db>/_api/kitsune/replica/followed` (superuser JWT) answers
 * `{leader, tick}`: the server this one followed for the database before it led, and the last of
 * that server's ticks it applied (every entry of the database up to it is here).
 */
export function registerFollowedRoute(router: Router, engine: StorageEngine): void {
  router.add('GET', FOLLOWED_PATH, (ctx) => {
    if (ctx.principal !== null && !ctx.principal.superuser) throw new ArangoError('ERROR_FORBIDDEN');
    const state = new State(engine, `db:${ctx.database}:`);
    return { status: 200, body: { error: false, code: 200, leader: state.appliedFrom, tick: state.appliedTick } };
  });
}

/**
 * Cluster mode, follower side, before a database is resynced from `leaderId`: a server's log holds
 * only what it led, so entries of this database in its own log after the last tick the new leader
 * applied from it are writes the new leader never received (acknowledged writes were on every
 * in-sync follower, so they are never among them). They are kept in `_system/_rollback` and
 * logged before the resync overwrites them; the state remembers how far the log was compared, so
 * a later resync does not record them again. Nothing happens when the leader did not follow this
 * server last (its data does not descend from this server's log).
 */
export async function rollBackDivergent(o: {
  readonly engine: StorageEngine;
  readonly state: ReplicationState;
  readonly client: LeaderClient;
  readonly serverId: string;
  readonly database: string;
  readonly leaderId: string;
  readonly log: Logger;
}): Promise<number> {
  const { engine, state, database } = o;
  const last = engine.oplog.lastTick();
  if (last <= state.rolledBackTo) return 0;
  const followed = await o.client.json<{ leader?: unknown; tick?: unknown }>('GET', `/_db/${encodeURIComponent(database)}${FOLLOWED_PATH}`);
  if (followed.leader !== o.serverId || typeof followed.tick !== 'number') return 0;
  const divergent: LogEntry[] = [];
  for (let from = Math.max(followed.tick, state.rolledBackTo); ;) {
    const chunk = engine.oplog.read(from, SCAN_CHUNK);
    for (const e of chunk) if (e.database === database && e.collection !== ROLLBACK_COLLECTION && e.tick <= last) divergent.push(e);
    const end = chunk[chunk.length - 1];
    if (chunk.length < SCAN_CHUNK || end === undefined || end.tick >= last) break;
    from = end.tick;
    await new Promise((r) => setImmediate(r));
  }
  await keepRolledBack(engine, divergent, o.leaderId, o.log, () => state.putRolledBackTo(last));
  return divergent.length;
}
