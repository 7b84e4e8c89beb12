import { randomUUID } from 'node:crypto';
import { ArangoError } from '../errors/index.ts';
import type { RequestContext, Router } from '../http/index.ts';
import type { Collection, LogEntry, StorageEngine } from '../storage/index.ts';
import { FollowerTracker } from './follower-tracker.ts';
import type { ReplicationState } from './replication-state.ts';
import { collectTail } from './tail-units.ts';
import { DUMP_CONTENT_TYPE, HEADER, revOf } from './wire.ts';
import { collectionInventory, isoSeconds, nonNegative, positive, requireReplicationRights, ttlMs, waitForCommit } from './feed-requests.ts';

/** The local recovery record of rolled-back writes; never replicated. */
export const ROLLBACK_COLLECTION = '_rollback';

/** What the leader feed needs from the server. */
export interface LeaderFeedDeps {
  readonly engine: StorageEngine;
  readonly state: ReplicationState;
  readonly serverId: string;
  /**
   * The term this server currently leads in, 0 when it does not lead. Cluster mode leads per
   * database: the database of the request is passed.
   */
  readonly term: (database: string) => number;
  /** A follower (or batch) silent for longer than this no longer holds back log pruning. */
  readonly clientTtlMs: number;
}

interface Batch {
  readonly id: string;
  readonly tick: number;
  expires: number;
  /** collection id → last key dumped */
  readonly positions: Map<string, string>;
}

const MAX_TAIL_WAIT_MS = 5000;
const DEFAULT_CHUNK = 1024 * 1024;
/** Entries after which a tail answer ends (at the end of the write transaction reached). */
const MAX_TAIL_ENTRIES = 20_000;

/**
 * The leader side of server-level replication (ArangoDB's endpoints, spec §3): logger state,
 * snapshot batches, global inventory, collection dumps, WAL tailing with long-poll, plus three
 * kitsune endpoints a follower uses to resync incrementally and to find the fork point of its
 * history (`/_api/replication/kitsune/{keys,documents,ticks}`). Every route needs the deployment's
 * superuser JWT (or authentication off).
 */
export class LeaderFeed {
  readonly followers = new FollowerTracker();
  readonly #d: LeaderFeedDeps;
  readonly #batches = new Map<string, Batch>();
  readonly #readerBeat = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(deps: LeaderFeedDeps) {
    this.#d = deps;
    this.#timer = setInterval(() => void this.#expire(), Math.min(10_000, Math.max(200, deps.clientTtlMs / 2)));
    this.#timer.unref();
  }

  /** Stops background work; open long-polls answer at once and their connections close. */
  close(): void {
    clearInterval(this.#timer);
    this.#closing = true;
    for (const wake of this.#sleepers) wake();
  }

  #closing = false;
  readonly #sleepers = new Set<() => void>();

  /** Registers the replication routes on `router`. */
  register(router: Router): void {
    const r = (method: string, path: string, h: (ctx: RequestContext) => Promise<Reply> | Reply): void =>
      router.add(method, path, async (ctx) => {
        requireReplicationRights(ctx);
        return h(ctx);
      }, { anyDatabase: true });
    r('GET', '/_api/replication/logger-state', () => ({ status: 200, body: this.#loggerState() }));
    r('GET', '/_api/replication/logger-first-tick', () => {
      const t = this.#d.engine.oplog.firstTick();
      return { status: 200, body: { firstTick: t === 0 ? null : String(t) } };
    });
    r('GET', '/_api/wal/range', () => ({
      status: 200,
      body: { time: isoSeconds(), tickMin: String(this.#d.engine.oplog.firstTick()), tickMax: String(this.#d.engine.oplog.lastTick()), server: this.#server() },
    }));
    r('GET', '/_api/wal/lastTick', () => ({ status: 200, body: { time: isoSeconds(), tick: String(this.#d.engine.oplog.lastTick()), server: this.#server() } }));
    r('GET', '/_api/wal/open-transactions', (ctx) => ({
      status: 200,
      body: [],
      headers: { [HEADER.fromPresent]: 'true', [HEADER.lastIncluded]: ctx.query.get('from') ?? '0' },
    }));
    r('POST', '/_api/replication/batch', async (ctx) => this.#createBatch(await ctx.json()));
    r('PUT', '/_api/replication/batch/:id', async (ctx) => {
      const b = this.#batch(ctx.param(0));
      b.expires = Date.now() + ttlMs(await ctx.json());
      return { status: 204 };
    });
    r('DELETE', '/_api/replication/batch/:id', async (ctx) => {
      const b = this.#batch(ctx.param(0));
      this.#batches.delete(b.id);
      await this.#d.engine.oplog.removeReader(`batch:${b.id}`);
      return { status: 204 };
    });
    r('GET', '/_api/replication/inventory', (ctx) => this.#inventory(ctx));
    r('GET', '/_api/replication/dump', (ctx) => this.#dump(ctx));
    r('GET', '/_api/wal/tail', (ctx) => this.#tail(ctx));
    r('PUT', '/_api/wal/tail', (ctx) => this.#tail(ctx));
    r('GET', '/_api/replication/kitsune/keys', (ctx) => this.#keys(ctx));
    r('PUT', '/_api/replication/kitsune/documents', (ctx) => this.#documents(ctx));
    r('PUT', '/_api/replication/kitsune/ticks', (ctx) => this.#ticks(ctx));
  }

  #server(): Record<string, string> {
    return { version: '3.12.4', serverId: this.#d.serverId, engine: 'lmdb' };
  }

  #loggerState(): Record<string, unknown> {
    const last = String(this.#d.engine.oplog.lastTick());
    return {
      state: { running: true, lastLogTick: last, lastUncommittedLogTick: last, totalEvents: this.#d.engine.oplog.size(), time: isoSeconds() },
      server: this.#server(),
      clients: this.followers.snapshot().map((f) => ({ syncerId: f.serverId, serverId: f.serverId, time: new Date(f.at).toISOString(), lastServedTick: String(f.tick) })),
    };
  }

  async #createBatch(body: unknown): Promise<Reply> {
    const id = randomUUID().replace(/-/g, '').slice(0, 16);
    const tick = this.#d.engine.oplog.lastTick();
    const b: Batch = { id, tick, expires: Date.now() + ttlMs(body), positions: new Map() };
    this.#batches.set(id, b);
    await this.#d.engine.oplog.setReader(`batch:${id}`, tick);
    return { status: 200, body: { id, lastTick: String(tick) } };
  }

  #batch(id: string | null): Batch {
    const b = id === null ? undefined : this.#batches.get(id);
    if (!b || b.expires < Date.now()) throw new ArangoError('ERROR_CURSOR_NOT_FOUND', 'replication batch not found');
    return b;
  }

  #inventory(ctx: RequestContext): Reply {
    const engine = this.#d.engine;
    const global = ctx.flag('global', false);
    if (global && ctx.database !== '_system') throw new ArangoError('ERROR_FORBIDDEN', 'global inventory can only be fetched from within _system database');
    const dbs = global ? engine.databaseNames() : [ctx.database];
    const last = String(engine.oplog.lastTick());
    const databases: Record<string, unknown> = {};
    for (const name of dbs) {
      const def = engine.database(name);
      databases[name] = {
        name,
        id: def.id,
        properties: { name, id: def.id },
        collections: engine.collections(name).filter((c) => c.name !== ROLLBACK_COLLECTION).map(collectionInventory),
        views: [],
      };
    }
    const state = { running: true, lastLogTick: last, lastUncommittedLogTick: last, totalEvents: engine.oplog.size(), time: isoSeconds() };
    if (global) return { status: 200, body: { databases, state, tick: last } };
    const one = databases[ctx.database] as { collections: unknown[] };
    return { status: 200, body: { collections: one.collections, views: [], state, tick: last } };
  }

  #dump(ctx: RequestContext): Reply {
    const name = ctx.query.get('collection');
    if (name === null) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'replication dump - request misses collection');
    const c = this.#d.engine.findCollection(ctx.database, name);
    if (!c) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', `collection not found: ${name}`);
    const batchId = ctx.query.get('batchId');
    const startAfter = ctx.query.get('startAfter');
    let batch: Batch | undefined;
    if (startAfter === null) {
      if (batchId === null) throw new ArangoError('ERROR_HTTP_NOT_FOUND', 'replication dump - request misses batchId');
      batch = this.#batch(batchId);
    }
    const after = startAfter ?? batch?.positions.get(c.definition.id) ?? null;
    const chunk = positive(ctx.query.get('chunkSize'), DEFAULT_CHUNK);
    const envelope = ctx.flag('useEnvelope', true);
    const parts: Buffer[] = [];
    let size = 0;
    let lastKey: string | null = null;
    let more = false;
    for (const { key, value } of c.docs.getRange(after === null ? {} : { start: after })) {
      if (key === after) continue;
      if (size >= chunk) {
        more = true;
        break;
      }
      const line = envelope ? Buffer.concat([DUMP_PREFIX, value, DUMP_SUFFIX]) : Buffer.concat([value, NL]);
      parts.push(line);
      size += line.length;
      lastKey = key;
    }
    if (batch && lastKey !== null) batch.positions.set(c.definition.id, lastKey);
    const headers: Record<string, string> = {
      'content-type': DUMP_CONTENT_TYPE,
      [HEADER.checkMore]: String(more),
      [HEADER.lastIncluded]: String(batch?.tick ?? 0),
      'x-kitsune-dump-lastkey': lastKey ?? '',
    };
    if (parts.length === 0) return { status: 204, headers };
    return { status: 200, raw: Buffer.concat(parts), headers };
  }

  #keys(ctx: RequestContext): Reply {
    const c = this.#collectionParam(ctx);
    const keys: Array<[string, string]> = [];
    for (const { key, value } of c.docs.getRange({})) keys.push([key, revOf(value)]);
    return { status: 200, body: { count: keys.length, keys } };
  }

  async #documents(ctx: RequestContext): Promise<Reply> {
    const c = this.#collectionParam(ctx);
    const body = await ctx.json();
    if (!Array.isArray(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting an array of keys');
    const parts: Buffer[] = [];
    for (const k of body) {
      if (typeof k !== 'string') continue;
      const raw = c.getRaw(k);
      if (raw) parts.push(raw, NL);
    }
    return { status: 200, raw: Buffer.concat(parts), headers: { 'content-type': DUMP_CONTENT_TYPE } };
  }

  async #ticks(ctx: RequestContext): Promise<Reply> {
    const body = await ctx.json();
    if (!Array.isArray(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting an array of ticks');
    const oplog = this.#d.engine.oplog;
    const present: number[] = [];
    for (const t of body) {
      if (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0) continue;
      const [e] = oplog.read(t - 1, 1);
      if (e?.tick === t) present.push(t);
    }
    return {
      status: 200,
      body: { present, firstTick: oplog.firstTick(), lastTick: oplog.lastTick(), completeFrom: this.#d.state.completeFrom, term: this.#d.term(ctx.database) },
    };
  }

  #collectionParam(ctx: RequestContext): Collection {
    const name = ctx.query.get('collection');
    if (name === null) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'missing collection');
    const c = this.#d.engine.findCollection(ctx.database, name);
    if (!c) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection not found: ${name}`);
    return c;
  }

  /** True when every change after `from` is still in the log (spec §3.7 `frompresent`). */
  fromPresent(from: number): boolean {
    if (from < this.#d.state.completeFrom) return false;
    const first = this.#d.engine.oplog.firstTick();
    return first === 0 || from >= first;
  }

  async #tail(ctx: RequestContext): Promise<Reply> {
    const engine = this.#d.engine;
    const global = ctx.flag('global', false);
    if (global && ctx.database !== '_system') throw new ArangoError('ERROR_FORBIDDEN', 'global tailing is only possible from within _system database');
    const from = nonNegative(ctx.query.get('from'), 0);
    const to = nonNegative(ctx.query.get('to'), Number.MAX_SAFE_INTEGER);
    if (from > to || to === 0) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid from/to values');
    const chunk = Math.min(positive(ctx.query.get('chunkSize'), DEFAULT_CHUNK), 128 * 1024 * 1024);
    const wait = Math.min(nonNegative(ctx.query.get('longPoll'), 0), MAX_TAIL_WAIT_MS);
    const serverId = ctx.query.get('serverId');
    const followerTerm = nonNegative(ctx.query.get('term'), -1);
    if (serverId !== null && serverId !== '') {
      this.followers.report(serverId, from, followerTerm);
      await this.#beatReader(`follower:${serverId}`, from);
    }
    const onlyDb = global ? null : ctx.database;
    // never ship past the durable tick: a follower must not hold what the leader could still lose
    let lines = this.#collect(from, Math.min(to, engine.durableTick), chunk, onlyDb);
    // nothing to scan either (the durable tick may lie past the newest entry, e.g. after unlogged writes): wait
    if (lines.entries.length === 0 && wait > 0 && (engine.durableTick <= from || lines.lastScanned === 0) && !this.#closing) {
      await waitForCommit(engine, wait, ctx, this.#sleepers);
      lines = this.#collect(from, Math.min(to, engine.durableTick), chunk, onlyDb);
    }
    const lastTick = Math.min(engine.oplog.lastTick(), engine.durableTick);
    const lastIncluded = lines.entries.length > 0 ? lines.lastIncluded : 0;
    const headers: Record<string, string> = {
      'content-type': DUMP_CONTENT_TYPE,
      [HEADER.lastIncluded]: String(lastIncluded),
      [HEADER.lastScanned]: String(lines.lastScanned || from),
      [HEADER.lastTick]: String(lastTick),
      [HEADER.checkMore]: String(lastIncluded > 0 && lastIncluded < lastTick),
      [HEADER.fromPresent]: String(this.fromPresent(from)),
      [HEADER.active]: 'true',
      [HEADER.term]: String(this.#d.term(ctx.database)),
      [HEADER.serverId]: this.#d.serverId,
    };
    // a stopping server must not keep followers' keep-alive connections (they would hold its close)
    if (this.#closing) headers['connection'] = 'close';
    if (lines.entries.length === 0) return { status: 204, headers };
    return { status: 200, raw: Buffer.from(lines.entries.join('\n') + '\n'), headers };
  }

  /** One answer's entries: whole write transactions only, so it may grow past `chunk` to finish one. */
  #collect(from: number, to: number, chunk: number, onlyDb: string | null): { entries: string[]; lastIncluded: number; lastScanned: number } {
    const c = collectTail(this.#d.engine.oplog.iterate(from, to), { chunkBytes: chunk, maxEntries: MAX_TAIL_ENTRIES, ship: (e) => shipped(e, onlyDb) });
    return { entries: c.lines, lastIncluded: c.lastIncluded, lastScanned: c.lastScanned };
  }

  async #beatReader(id: string, tick: number): Promise<void> {
    const now = Date.now();
    if ((this.#readerBeat.get(id) ?? 0) > now - 1000) return;
    this.#readerBeat.set(id, now);
    await this.#d.engine.oplog.setReader(id, tick);
  }

  async #expire(): Promise<void> {
    const now = Date.now();
    for (const [id, b] of this.#batches) {
      if (b.expires < now) {
        this.#batches.delete(id);
        await this.#d.engine.oplog.removeReader(`batch:${id}`).catch(() => undefined);
      }
    }
    for (const r of this.#d.engine.oplog.readers()) {
      if ((r.id.startsWith('follower:') || r.id.startsWith('batch:')) && r.updatedAt < now - this.#d.clientTtlMs && !this.#batches.has(r.id.slice(6))) {
        this.#readerBeat.delete(r.id);
        await this.#d.engine.oplog.removeReader(r.id).catch(() => undefined);
      }
    }
  }
}

type Reply = { status: number; body?: unknown; raw?: Buffer; headers?: Record<string, string> };

const DUMP_PREFIX = Buffer.from('{"type":2300,"data":');
const DUMP_SUFFIX = Buffer.from('}\n');
const NL = Buffer.from('\n');

function shipped(e: LogEntry, onlyDb: string | null): boolean {
  if (onlyDb !== null && e.database !== onlyDb) return false;
  return e.collection !== ROLLBACK_COLLECTION;
}
