import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** A stored password hash (the `authData.simple` of a `_users` document). */
export interface PasswordHash {
  readonly method: 'scrypt';
  readonly salt: string;
  readonly hash: string;
}

/** Hashes a password with scrypt and a random salt. */
export function hashPassword(password: string): PasswordHash {
  const salt = randomBytes(16).toString('hex');
  return { method: 'scrypt', salt, hash: scryptSync(password, salt, 32).toString('hex') };
}

/** Checks a password against a stored hash in constant time. */
export function verifyPassword(password: string, stored: unknown): boolean {
  if (typeof stored !== 'object' || stored === null) return false;
  const s = stored as Record<string, unknown>;
  if (s['method'] !== 'scrypt' || typeof s['salt'] !== 'string' || typeof s['hash'] !== 'string') return false;
  const expected = Buffer.from(s['hash'], 'hex');
  const actual = scryptSync(password, s['salt'], expected.length);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
