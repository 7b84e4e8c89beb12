import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { HashPool } from './hash-pool.ts';
import { ACCESS_TOKEN_PREFIX, type AccessTokenStore } from './access-tokens.ts';
import { signJwt, verifyJwt } from './jwt.ts';
import { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword, type PasswordHash } from './password.ts';
import type { UserStore } from './user-store.ts';

/** Who a request acts as. `superuser` is a server-to-server token without a user. */
export interface Principal {
  readonly user: string;
  readonly superuser: boolean;
}

/** Limits on password checking (from `--auth.*`). */
export interface AuthenticatorSettings {
  /** Password hashes computed at once (each takes a libuv pool thread). */
  readonly hashConcurrency: number;
  /** Logins that may wait for a hash slot; more get 503. */
  readonly hashQueue: number;
  /** Failed logins per client address and user before that pair is refused for the rest of the window. */
  readonly maxFailedLogins: number;
  readonly failedLoginWindowMs: number;
}

export const DEFAULT_AUTHENTICATOR_SETTINGS: AuthenticatorSettings = { hashConcurrency: 1, hashQueue: 256, maxFailedLogins: 10, failedLoginWindowMs: 60_000 };

const SUPERUSER: Principal = { user: 'root', superuser: true };
const MAX_CACHE = 10_000;
const CACHE_MS = 60_000;

/**
 * Turns an Authorization header (Basic or `bearer <JWT>`) into a principal.
 *
 * * Passwords are hashed off the main thread, at most `hashConcurrency` at once, and a wrong
 *   password for an unknown user costs the same hash as for a known one (no enumeration).
 * * Failed logins are limited per client address and user, per client and per user (`LoginThrottle`).
 * * Successes are cached per header value, never past a token's `exp`, and the cache is
 *   dropped whenever users change, so a revoked user or password stops working at once.
 *   Failures are not cached: a flood of guesses cannot evict the entries of real clients.
 */
export class Authenticator {
  readonly #users: UserStore;
  readonly #secret: string;
  readonly #cache = new Map<string, { principal: Principal; until: number }>();
  readonly #pool: HashPool;
  readonly #throttle: LoginThrottle;
  readonly #tokens: AccessTokenStore | undefined;
  #decoy: Promise<PasswordHash> | undefined;

  constructor(users: UserStore, secret: string, settings: AuthenticatorSettings = DEFAULT_AUTHENTICATOR_SETTINGS, tokens?: AccessTokenStore) {
    this.#users = users;
    this.#secret = secret;
    this.#tokens = tokens;
    this.#pool = new HashPool(settings.hashConcurrency, settings.hashQueue);
    this.#throttle = new LoginThrottle({ maxFailures: settings.maxFailedLogins, windowMs: settings.failedLoginWindowMs });
    users.onChange(() => this.#cache.clear());
  }

  /**
   * The principal for a header, or null when it is missing or invalid. `client` identifies the
   * caller for rate limiting (its address). Throws `ERROR_HTTP_SERVICE_UNAVAILABLE` when too many
   * logins wait for a hash.
   */
  async authenticate(header: string | undefined, client: string): Promise<Principal | null> {
    if (!header) return null;
    const token = this.#accessToken(header);
    // access tokens are checked on every request (a hash and a lookup), so expiry and deletion act at once
    if (token !== undefined) {
      const user = this.#tokens?.resolve(token) ?? null;
      return user !== null && this.#users.isActive(user) ? { user, superuser: false } : null;
    }
    const now = Date.now();
    const hit = this.#cache.get(header);
    if (hit) {
      if (hit.until > now) return hit.principal;
      this.#cache.delete(header);
    }
    const resolved = await this.#resolve(header, client, now);
    if (!resolved) return null;
    if (resolved.until <= now) return resolved.principal;
    if (this.#cache.size >= MAX_CACHE) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(header, resolved);
    return resolved.principal;
  }

  /** Checks a user's password (Basic auth, `/_open/auth`), rate limited and off the main thread. */
  async checkPassword(user: string, password: string, client: string): Promise<boolean> {
    const admission = this.#throttle.admit(client, user);
    if (admission.refused) return false;
    try {
      if (admission.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, admission.delayMs));
      this.#decoy ??= hashPassword(randomBytes(16).toString('hex'));
      const decoy = await this.#decoy;
      const stored = this.#users.storedHash(user);
      const ok = await this.#pool.run(() => verifyPassword(password, stored, decoy));
      if (ok) this.#throttle.recordSuccess(client, user);
      else this.#throttle.recordFailure(client, user);
      return ok;
    } finally {
      admission.done();
    }
  }

  /**
   * The user that a user name and a password or access token authenticate as (Basic auth,
   * `/_open/auth`), or null. An access token works as a password, with its own user's name or an
   * empty one (ArangoDB 3.12); anything else is checked as a password.
   */
  async login(user: string, secret: string, client: string): Promise<string | null> {
    if (secret.startsWith(ACCESS_TOKEN_PREFIX)) {
      const owner = this.#tokens?.resolve(secret) ?? null;
      if (owner !== null && (user === '' || user === owner) && this.#users.isActive(owner)) return owner;
    }
    return (await this.checkPassword(user, secret, client)) ? user : null;
  }

  #accessToken(header: string): string | undefined {
    if (header.length < 7 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const value = header.slice(7).trim();
    return value.startsWith(ACCESS_TOKEN_PREFIX) ? value : undefined;
  }

  async #resolve(header: string, client: string, now: number): Promise<{ principal: Principal; until: number } | null> {
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const raw = Buffer.from(value, 'base64');
      // credentials that are not valid UTF-8 are refused, never matched after U+FFFD replacement
      if (!isUtf8(raw)) return null;
      const decoded = raw.toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      const secret = decoded.slice(colon + 1);
      const user = await this.login(decoded.slice(0, colon), secret, client);
      if (user === null) return null;
      // an access token is looked up again on every request, so deleting or expiring it acts at once
      return { principal: { user, superuser: false }, until: secret.startsWith(ACCESS_TOKEN_PREFIX) ? now : now + CACHE_MS };
    }
    if (scheme === 'bearer') {
      const claims = verifyJwt(value, this.#secret, now / 1000);
      if (!claims) return null;
      // an expired token is refused at once: its cache entry ends with it
      const until = Math.min(now + CACHE_MS, claims.exp === undefined ? Number.POSITIVE_INFINITY : claims.exp * 1000);
      if (claims.preferred_username === undefined) return { principal: SUPERUSER, until };
      if (!this.#users.isActive(claims.preferred_username)) return null;
      return { principal: { user: claims.preferred_username, superuser: false }, until };
    }
    return null;
  }

  /** A user token as `/_open/auth` returns it (valid for one hour, ArangoDB's default). */
  issueUserToken(user: string): string {
    const iat = Math.floor(Date.now() / 1000);
    return signJwt({ iss: 'arangodb', iat, exp: iat + 3600, preferred_username: user }, this.#secret);
  }

  /** A superuser token for server-to-server calls (replication, self-heal propagation); it expires after an hour. */
  superuserToken(serverId: string): string {
    return superuserJwt(this.#secret, serverId);
  }
}

/** Lifetime of a server-to-server token; callers fetch a fresh one per request. */
const SUPERUSER_TOKEN_SECONDS = 3600;

/** A superuser JWT for server-to-server calls, signed with the deployment's secret; it expires after an hour. */
export function superuserJwt(secret: string, serverId: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt({ iss: 'arangodb', iat, exp: iat + SUPERUSER_TOKEN_SECONDS, server_id: serverId }, secret);
}

/** The authenticator's slice of the server configuration (login hashing and throttling). */
export function authenticatorSettingsOf(config: {
  readonly authHashConcurrency: number;
  readonly authHashQueue: number;
  readonly authMaxFailedLogins: number;
  readonly authFailedLoginWindow: number;
}): AuthenticatorSettings {
  return {
    hashConcurrency: config.authHashConcurrency,
    hashQueue: config.authHashQueue,
    maxFailedLogins: config.authMaxFailedLogins,
    failedLoginWindowMs: config.authFailedLoginWindow * 1000,
  };
}
