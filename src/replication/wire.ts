import { LOG_DOCUMENT, LOG_REMOVE, type LogEntry, type LogEntryType } from '../storage/index.ts';

/**
 * The replication wire format: one JSON object per line (`application/x-arango-dump`), in the
 * shape of ArangoDB's WAL tail markers (shared/spec/active-failover.md §3.7):
 * `{"tick":"…","type":2300,"db":"…","cuid":"<collection id>","tid":"0","data":{…}}`.
 * kitsune adds `cname` (the collection's name at the time of the change) so a follower that
 * relays the log writes the same entries. Ticks travel as decimal strings, as in ArangoDB.
 * kitsune also adds `"more":true` to every entry of a write transaction but its last (the
 * entries up to the next line without it are one unit: a follower applies them together);
 * a line without it ends its unit, so a leader that never sends it ships single-entry units.
 */
export const DUMP_CONTENT_TYPE = 'application/x-arango-dump';

/** Response headers of the tail and dump endpoints (lower case, as on the wire). */
export const HEADER = {
  lastIncluded: 'x-arango-replication-lastincluded',
  lastScanned: 'x-arango-replication-lastscanned',
  lastTick: 'x-arango-replication-lasttick',
  checkMore: 'x-arango-replication-checkmore',
  fromPresent: 'x-arango-replication-frompresent',
  active: 'x-arango-replication-active',
  /** kitsune: the serving leader's term (0 when the server is not a leader). */
  term: 'x-kitsune-leader-term',
  /** kitsune: the serving server's member id. */
  serverId: 'x-kitsune-server-id',
} as const;

/** Serialises one log entry as a tail line (without the newline); `more` defaults to the entry's flag. */
export function encodeEntry(e: LogEntry, more = e.more === true): string {
  let head = `{"tick":"${e.tick}","type":${e.type},"db":${JSON.stringify(e.database)}`;
  if (e.cid !== undefined) head += `,"cuid":${JSON.stringify(e.cid)}`;
  if (e.collection !== undefined) head += `,"cname":${JSON.stringify(e.collection)}`;
  head += ',"tid":"0"';
  if (more) head += ',"more":true';
  if (e.op !== undefined) head += `,"op":${JSON.stringify(e.op)}`;
  if (e.type === LOG_DOCUMENT && e.doc) return `${head},"data":${Buffer.from(e.doc).toString('utf8')}}`;
  if (e.type === LOG_REMOVE) return `${head},"data":${JSON.stringify({ _key: e.key, _rev: e.rev })}}`;
  if (e.data !== undefined) return `${head},"data":${JSON.stringify(e.data)}}`;
  return `${head}}`;
}

/** Parses one tail line back into a log entry; throws on malformed input. */
export function decodeEntry(line: string): LogEntry {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const tick = Number(raw['tick']);
  const type = raw['type'];
  const db = raw['db'];
  if (!Number.isSafeInteger(tick) || typeof type !== 'number' || typeof db !== 'string') throw new Error(`malformed replication line: ${line.slice(0, 200)}`);
  const data = raw['data'];
  const base = {
    tick,
    type: type as LogEntryType,
    database: db,
    ...(typeof raw['cuid'] === 'string' ? { cid: raw['cuid'] } : {}),
    ...(typeof raw['cname'] === 'string' ? { collection: raw['cname'] } : {}),
    ...(typeof raw['op'] === 'string' ? { op: raw['op'] } : {}),
    ...(raw['more'] === true ? { more: true } : {}),
  };
  if (type === LOG_DOCUMENT || type === LOG_REMOVE) {
    const d = (data ?? {}) as Record<string, unknown>;
    const key = typeof d['_key'] === 'string' ? d['_key'] : undefined;
    const rev = typeof d['_rev'] === 'string' ? d['_rev'] : undefined;
    return {
      ...base,
      ...(key === undefined ? {} : { key }),
      ...(rev === undefined ? {} : { rev }),
      ...(type === LOG_DOCUMENT ? { doc: Buffer.from(JSON.stringify(data)) } : {}),
    };
  }
  return data === undefined ? base : { ...base, data };
}

/** Splits a dump body into its non-empty lines. */
export function splitLines(body: string): string[] {
  return body.split('\n').filter((l) => l.length > 0);
}

/** Reads `_rev` from stored document bytes without parsing the whole document. */
export function revOf(bytes: Buffer): string {
  // Stored documents always start {"_key":…,"_id":…,"_rev":"…"; keys and ids cannot contain quotes.
  const text = bytes.toString('latin1', 0, Math.min(bytes.length, 1024));
  const i = text.indexOf('"_rev":"');
  if (i >= 0) {
    const end = text.indexOf('"', i + 8);
    if (end > 0) return text.slice(i + 8, end);
  }
  const doc = JSON.parse(bytes.toString('utf8')) as { _rev?: unknown };
  return typeof doc._rev === 'string' ? doc._rev : '';
}
