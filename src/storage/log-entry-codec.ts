import type { LogEntry, LogEntryType } from './types.ts';

/**
 * Binary form of an operation-log entry (the tick is the LMDB key, not part of the value).
 * Document entries, the hot path, are `0x01` + `type\ndatabase\ncollection\ncid\nop\nkey\nrev\n`
 * + the document's JSON bytes: no per-entry object encoding, the stored document bytes are
 * copied as they are. Other (DDL) entries are `0x02` + JSON. Names, keys and revisions never
 * contain a newline (ArangoDB's naming rules), so the header splits unambiguously.
 * An entry that is not the last of its write transaction (`more`) has bit `0x80` set in the
 * first byte; entries written before that bit existed read as the ends of their transactions.
 */
const DOCUMENT = 1;
const GENERIC = 2;
const MORE = 0x80;
const NEWLINE = 10;
const HEADER_FIELDS = 7;

/** Encodes an entry for storage; `more` (default: the entry's own flag) marks it as not the last of its transaction. */
export function encodeLogEntry(e: LogEntry, more = e.more === true): Buffer {
  const flag = more ? MORE : 0;
  if ((e.type === 2300 || e.type === 2302) && e.collection !== undefined && e.key !== undefined) {
    const header = `${e.type}\n${e.database}\n${e.collection}\n${e.cid ?? ''}\n${e.op ?? ''}\n${e.key}\n${e.rev ?? ''}\n`;
    const headerBytes = Buffer.byteLength(header);
    const doc = e.doc;
    const out = Buffer.allocUnsafe(1 + headerBytes + (doc?.length ?? 0));
    out[0] = DOCUMENT | flag;
    out.write(header, 1, 'utf8');
    if (doc) out.set(doc, 1 + headerBytes);
    return out;
  }
  const { tick: _tick, doc, more: _more, ...rest } = e;
  const json = JSON.stringify(doc === undefined ? rest : { ...rest, doc: Buffer.from(doc).toString('base64') });
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(json));
  out[0] = GENERIC | flag;
  out.write(json, 1, 'utf8');
  return out;
}

/** Decodes a stored entry; `tick` comes from the key. */
export function decodeLogEntry(tick: number, value: Uint8Array): LogEntry {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const first = buf[0] ?? 0;
  const more = (first & MORE) !== 0;
  if ((first & ~MORE) === DOCUMENT) {
    const fields: string[] = [];
    let start = 1;
    for (let i = 0; i < HEADER_FIELDS; i++) {
      const nl = buf.indexOf(NEWLINE, start);
      fields.push(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    const [type, database, collection, cid, op, key, rev] = fields as [string, string, string, string, string, string, string];
    const entry: { -readonly [K in keyof LogEntry]: LogEntry[K] } = { tick, type: Number(type) as LogEntryType, database, collection, key };
    if (cid !== '') entry.cid = cid;
    if (op !== '') entry.op = op;
    if (rev !== '') entry.rev = rev;
    if (start < buf.length) entry.doc = Buffer.from(buf.subarray(start));
    if (more) entry.more = true;
    return entry;
  }
  const parsed = JSON.parse(buf.toString('utf8', 1)) as Omit<LogEntry, 'tick' | 'doc'> & { doc?: string };
  const { doc, ...rest } = parsed;
  const entry = doc === undefined ? { ...rest, tick } : { ...rest, tick, doc: Buffer.from(doc, 'base64') };
  return more ? { ...entry, more: true } : entry;
}
