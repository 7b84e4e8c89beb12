import { createHmac, timingSafeEqual } from 'node:crypto';

/** Claims kitsune puts into and reads from a JWT (ArangoDB's names). */
export interface JwtClaims {
  readonly iss: string;
  readonly iat?: number;
  readonly exp?: number;
  /** The user; absent in a superuser (server-to-server) token. */
  readonly preferred_username?: string;
  readonly server_id?: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Signs claims with HS256. */
export function signJwt(claims: JwtClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${sig}`;
}

/** Verifies an HS256 token's signature and expiry; returns its claims or null. */
export function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): JwtClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof header !== 'object' || header === null || (header as Record<string, unknown>)['alg'] !== 'HS256') return null;
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const actual = Buffer.from(s, 'base64url');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  if (typeof claims !== 'object' || claims === null) return null;
  const c = claims as Record<string, unknown>;
  if (c['iss'] !== 'arangodb' && c['iss'] !== 'kitsune') return null;
  if (typeof c['exp'] === 'number' && c['exp'] < nowSeconds) return null;
  const out: { -readonly [K in keyof JwtClaims]: JwtClaims[K] } = { iss: c['iss'] };
  if (typeof c['preferred_username'] === 'string') out.preferred_username = c['preferred_username'];
  if (typeof c['server_id'] === 'string') out.server_id = c['server_id'];
  if (typeof c['exp'] === 'number') out.exp = c['exp'];
  return out;
}
