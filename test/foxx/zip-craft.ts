import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/** One entry of a hand-made zip; every header field can be forged. */
export interface CraftEntry {
  readonly name: string;
  readonly data?: Uint8Array;
  /** Already-compressed bytes (then `method` defaults to 8 and sizes must be given). */
  readonly compressed?: Uint8Array;
  readonly uncompressedSize?: number;
  readonly method?: 0 | 8;
  readonly flags?: number;
  readonly externalAttributes?: number;
  readonly versionMadeBy?: number;
  /** Central-directory offset of the local header (forge to make entries overlap). */
  readonly forceOffset?: number;
}

/**
 * Writes raw zip bytes (local headers, central directory, end record) without any of the
 * checks a real archiver makes, so tests can produce hostile archives.
 */
export function craftZip(entries: readonly CraftEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.data ?? new Uint8Array(0));
    const method = e.method ?? (e.compressed !== undefined ? 8 : 8);
    const body = e.compressed !== undefined ? Buffer.from(e.compressed) : method === 8 ? deflateRawSync(data) : data;
    const size = e.uncompressedSize ?? data.length;
    const crc = e.data !== undefined ? crc32(data) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.versionMadeBy ?? (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(e.externalAttributes ?? (0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(e.forceOffset ?? offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Raw-deflates `bytes` zero bytes without ever holding them in memory (about 1 KB per MB). */
export async function deflatedZeros(bytes: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const zero = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= zero.length) {
    const chunk = left >= zero.length ? zero : zero.subarray(0, left);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(chunks);
}
