import { ACCESS_TOKEN_PREFIX, type AccessTokenStore } from './access-tokens.ts';
import { signJwt, verifyJwt } from './jwt.ts';
import type { UserStore } from './user-store.ts';

/** Who a request acts as. `superuser` is a server-to-server token without a user. */
export interface Principal {
  readonly user: string;
  readonly superuser: boolean;
}

const SUPERUSER: Principal = { user: 'root', superuser: true };
const MAX_CACHE = 10_000;
const CACHE_MS = 60_000;

/**
 * Turns an Authorization header (Basic or `bearer <JWT>`) into a principal. Results are
 * cached per header value (password hashing is deliberately slow), and the cache is dropped
 * whenever users change, so a revoked user or password stops working at once.
 */
export class Authenticator {
  readonly #users: UserStore;
  readonly #secret: string;
  readonly #cache = new Map<string, { principal: Principal | null; until: number }>();
  readonly #tokens: AccessTokenStore | undefined;

  constructor(users: UserStore, secret: string, tokens?: AccessTokenStore) {
    this.#users = users;
    this.#secret = secret;
    this.#tokens = tokens;
    users.onChange(() => this.#cache.clear());
  }

  /** The principal for a header, or null when it is missing or invalid. */
  authenticate(header: string | undefined): Principal | null {
    if (!header) return null;
    const token = this.#accessToken(header);
    // access tokens are checked on every request (a hash and a lookup), so expiry and deletion act at once
    if (token !== undefined) {
      const user = this.#tokens?.resolve(token) ?? null;
      return user !== null && this.#users.isActive(user) ? { user, superuser: false } : null;
    }
    const now = Date.now();
    const hit = this.#cache.get(header);
    if (hit && hit.until > now) return hit.principal;
    const principal = this.#resolve(header);
    if (this.#cache.size >= MAX_CACHE) this.#cache.clear();
    this.#cache.set(header, { principal, until: now + CACHE_MS });
    return principal;
  }

  #accessToken(header: string): string | undefined {
    if (header.length < 7 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const value = header.slice(7).trim();
    return value.startsWith(ACCESS_TOKEN_PREFIX) ? value : undefined;
  }

  #resolve(header: string): Principal | null {
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      const user = decoded.slice(0, colon);
      return this.#users.verify(user, decoded.slice(colon + 1)) ? { user, superuser: false } : null;
    }
    if (scheme === 'bearer') {
      const claims = verifyJwt(value, this.#secret);
      if (!claims) return null;
      if (claims.preferred_username === undefined) return SUPERUSER;
      return this.#users.isActive(claims.preferred_username) ? { user: claims.preferred_username, superuser: false } : null;
    }
    return null;
  }

  /** A user token as `/_open/auth` returns it (valid for one hour, ArangoDB's default). */
  issueUserToken(user: string): string {
    const iat = Math.floor(Date.now() / 1000);
    return signJwt({ iss: 'arangodb', iat, exp: iat + 3600, preferred_username: user }, this.#secret);
  }

  /** A superuser token for server-to-server calls (replication, self-heal propagation). */
  superuserToken(serverId: string): string {
    return signJwt({ iss: 'arangodb', iat: Math.floor(Date.now() / 1000), server_id: serverId }, this.#secret);
  }
}
