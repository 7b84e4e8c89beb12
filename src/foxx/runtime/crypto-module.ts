import crypto from 'node:crypto';

const hash = (algo: string) => (data: unknown): string => crypto.createHash(algo).update(String(data)).digest('hex');

/** `@arangodb/crypto` (subset): digests, hmac, pbkdf2, random values, constant-time compare, JWT (HS*). */
export function createCryptoModule(): Record<string, unknown> {
  const b64url = (b: Buffer): string => b.toString('base64url');
  const jwtAlgo = (alg: string): string => ({ HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' })[alg.toUpperCase()] ?? 'sha256';
  const nonces = new Map<string, number>();
  const MAX_NONCES = 100_000;
  const NONCE_TTL_MS = 3_600_000;
  return {
    createNonce: () => {
      const now = Date.now();
      const nonce = Buffer.concat([Buffer.from(Math.floor(now / 1000).toString(16).padStart(8, '0'), 'hex'), crypto.randomBytes(12)]).toString('base64url');
      if (nonces.size >= MAX_NONCES) for (const [k, t] of nonces) if (now - t > NONCE_TTL_MS || nonces.size >= MAX_NONCES) nonces.delete(k);
      nonces.set(nonce, now);
      return nonce;
    },
    checkAndMarkNonce: (nonce: unknown) => {
      const t = nonces.get(String(nonce));
      if (t === undefined || Date.now() - t > NONCE_TTL_MS) return false;
      nonces.delete(String(nonce));
      return true;
    },
    jwtAlgorithms: Object.freeze(['HS256', 'HS384', 'HS512', 'none']),
    jwtCanonicalAlgorithmName: (name: unknown) => {
      const n = String(name ?? '').toUpperCase();
      if (n === 'NONE') return 'none';
      if (['HS256', 'HS384', 'HS512'].includes(n)) return n;
      throw new Error(`Unknown algorithm: ${String(name)}`);
    },
    md5: hash('md5'),
    sha1: hash('sha1'),
    sha224: hash('sha224'),
    sha256: hash('sha256'),
    sha384: hash('sha384'),
    sha512: hash('sha512'),
    hmac: (key: unknown, message: unknown, algorithm = 'sha256') => crypto.createHmac(String(algorithm).toLowerCase(), String(key)).update(String(message)).digest('hex'),
    pbkdf2: (salt: unknown, password: unknown, iterations: number, keyLength: number, algorithm = 'sha1') =>
      crypto.pbkdf2Sync(String(password), String(salt), iterations, keyLength, String(algorithm).toLowerCase()).toString('hex'),
    genRandomAlphaNumbers: (length: number) => {
      const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      return Array.from(crypto.randomBytes(length), (b) => chars[b % chars.length]).join('');
    },
    genRandomNumbers: (length: number) => Array.from(crypto.randomBytes(length), (b) => String(b % 10)).join(''),
    genRandomSalt: (length = 8) => crypto.randomBytes(length).toString('hex').slice(0, length),
    genRandomBytes: (length: number) => crypto.randomBytes(length),
    uuidv4: () => crypto.randomUUID(),
    rand: () => crypto.randomBytes(4).readInt32LE(0),
    constantEquals: (a: unknown, b: unknown) => {
      const x = Buffer.from(String(a));
      const y = Buffer.from(String(b));
      return x.length === y.length && crypto.timingSafeEqual(x, y);
    },
    jwtEncode: (key: string, message: unknown, algorithm = 'HS256') => {
      const head = b64url(Buffer.from(JSON.stringify({ typ: 'JWT', alg: algorithm })));
      const body = b64url(Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)));
      const sig = String(algorithm).toLowerCase() === 'none' ? '' : b64url(crypto.createHmac(jwtAlgo(algorithm), key).update(`${head}.${body}`).digest());
      return `${head}.${body}.${sig}`;
    },
    jwtDecode: (key: string, token: string, noVerify = false) => {
      const [head = '', body = '', sig = ''] = String(token).split('.');
      const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
      if (!noVerify && String(header.alg ?? '').toLowerCase() === 'none') {
        if (key !== undefined && key !== null && key !== '') throw new Error('Signature verification failed');
      } else if (!noVerify) {
        const expect = b64url(crypto.createHmac(jwtAlgo(header.alg ?? 'HS256'), key).update(`${head}.${body}`).digest());
        if (expect !== sig) throw new Error('Signature verification failed');
      }
      return JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown;
    },
  };
}

interface AuthData {
  method: string;
  salt: string;
  hash: string;
  iter?: number;
}

/** `@arangodb/foxx/auth`'s `createAuth({method, saltLength, workFactor})` (spec §4.8). */
export function createAuth(options: { method?: string; saltLength?: number; workFactor?: number } = {}): { create(pw: string): AuthData; verify(auth: AuthData | null | undefined, pw: string): boolean } {
  const method = (options.method ?? 'sha256').toLowerCase();
  const saltLength = options.saltLength ?? 16;
  const workFactor = options.workFactor ?? 1;
  const iterations = (): number => Math.floor(1000 * 2 ** ((new Date().getFullYear() - 2000) / 2) * workFactor);
  const digest = (m: string, salt: string, pw: string, iter?: number): string =>
    m === 'pbkdf2' ? crypto.pbkdf2Sync(pw, salt, iter ?? 1, saltLength, 'sha1').toString('hex') : crypto.createHash(m).update(salt + pw).digest('hex');
  return {
    create(pw) {
      const salt = crypto.randomBytes(saltLength).toString('hex').slice(0, saltLength);
      const iter = method === 'pbkdf2' ? iterations() : undefined;
      const out: AuthData = { method, salt, hash: digest(method, salt, String(pw), iter) };
      if (iter !== undefined) out.iter = iter;
      return out;
    },
    verify(auth, pw) {
      if (auth === null || auth === undefined || typeof auth.hash !== 'string') return false;
      const actual = Buffer.from(digest(auth.method ?? method, auth.salt ?? '', String(pw ?? ''), auth.iter));
      const expected = Buffer.from(auth.hash);
      return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
    },
  };
}
