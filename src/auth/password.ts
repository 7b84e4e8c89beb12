import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A stored password hash (the `authData.simple` of a `_users` document). */
export interface PasswordHash {
  readonly method: 'scrypt';
  readonly salt: string;
  readonly hash: string;
}

const KEY_BYTES = 32;

/** scrypt on libuv's thread pool: the main thread keeps serving while a hash is computed. */
function scryptAsync(password: string, salt: string, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with scrypt and a random salt (off the main thread). */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16).toString('hex');
  return { method: 'scrypt', salt, hash: (await scryptAsync(password, salt, KEY_BYTES)).toString('hex') };
}

/**
 * Checks a password against a stored hash in constant time (off the main thread). A missing or
 * malformed hash is checked against `decoy` instead, so the answer takes as long as for a real
 * user (no user-name enumeration by timing) and is always false.
 */
export async function verifyPassword(password: string, stored: unknown, decoy: PasswordHash): Promise<boolean> {
  const real = parseHash(stored);
  const target = real ?? decoy;
  const expected = Buffer.from(target.hash, 'hex');
  const actual = await scryptAsync(password, target.salt, expected.length === 0 ? KEY_BYTES : expected.length);
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  return real !== null && same;
}

function parseHash(stored: unknown): PasswordHash | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const s = stored as Record<string, unknown>;
  if (s['method'] !== 'scrypt' || typeof s['salt'] !== 'string' || typeof s['hash'] !== 'string') return null;
  if (!/^(?:[0-9a-f]{2})+$/.test(s['hash'])) return null;
  return { method: 'scrypt', salt: s['salt'], hash: s['hash'] };
}
