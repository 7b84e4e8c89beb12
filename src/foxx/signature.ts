import { createHash } from 'node:crypto';

const ADLER_MOD = 65521;
// Largest block for which the 32-bit sums cannot overflow before the modulo (zlib's NMAX).
const ADLER_BLOCK = 5552;

/** Adler-32 of `data` as an unsigned 32-bit integer (RFC 1950). */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let start = 0; start < data.length; start += ADLER_BLOCK) {
    const end = Math.min(start + ADLER_BLOCK, data.length);
    for (let i = start; i < end; i++) {
      a += data[i] ?? 0;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** ArangoDB's service checksum: `adler32(bundle zip bytes).toString(16)` (lower-case, unpadded; spec §5.2). */
export function bundleChecksum(zip: Uint8Array): string {
  return adler32(zip).toString(16);
}

/** SHA-256 of `data` as lower-case hex, a collision-resistant companion to the checksum. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
