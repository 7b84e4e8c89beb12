import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServerRecord } from './cluster-registry.ts';
import { callServer, forwardBuffered, relayError, type BodyLimits, type BufferedAnswer, type ForwardFailure } from './forward.ts';

/** What {@link CoordinatorUsers} needs from the coordinator. */
export interface CoordinatorUsersDeps {
  /** The leader DB-server of a database (throws 1228 / 1478 as the coordinator does). */
  leaderOf(database: string): Promise<ServerRecord>;
  /** The live DB-servers. */
  dbServers(): ServerRecord[];
  /** `bearer <superuser JWT>` for coordinator → DB-server calls. */
  readonly superuser: () => string;
  /** Size cap and process budget of the request bodies this coordinator buffers. */
  readonly bodies: BodyLimits;
  readonly log: Logger;
}

const AUTH_CACHE_MS = 5000;

/**
 * The coordinator's side of users, who live in `_system` on its leader: credential checks for the
 * APIs the coordinator answers itself (cached per header for 5 s), user changes (forwarded to the
 * `_system` leader, then copied to every other DB-server before the client is answered) and the
 * databases a caller may access.
 */
export class CoordinatorUsers {
  readonly #d: CoordinatorUsersDeps;
  readonly #authCache = new Map<string, number>();

  constructor(deps: CoordinatorUsersDeps) {
    this.#d = deps;
  }

  /**
   * Forwards a user change to the `_system` leader (`send` reaches it across a failover), then has
   * every other DB-server copy `_users` from the leader before the client is answered.
   */
  async change(req: IncomingMessage, res: ServerResponse, urlPath: string, send: (attempt: (endpoint: string) => Promise<{ value: BufferedAnswer } | ForwardFailure>) => Promise<BufferedAnswer>): Promise<void> {
    // the leader authenticates: until then the body counts against this coordinator's budget
    const answer = await forwardBuffered(req, urlPath, this.#d.bodies, send);
    if (answer.status < 300) {
      const leader = await this.#d.leaderOf('_system');
      const others = this.#d.dbServers().filter((s) => s.id !== leader.id);
      await Promise.all(others.map((s) =>
        callServer(s.endpoint, 'POST', '/_api/kitsune/users/refresh', this.#d.superuser(), { source: leader.endpoint }).then(
          (r) => { if (r.status >= 300) this.#d.log.warn({ server: s.id, status: r.status }, 'users refresh failed'); },
          (err: unknown) => this.#d.log.warn({ err, server: s.id }, 'users refresh failed'),
        ),
      ));
      this.#authCache.clear();
    }
    res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': String(answer.raw.length) });
    res.end(answer.raw);
  }

  /**
   * Checks the client's credentials against the `_system` leader (which holds the users): `user`
   * = any valid user, `system-rw` = may administer databases. Cached per header for 5 s, never past
   * the expiry of a JWT (an expired token is refused at once, as on a single server).
   */
  async authorize(req: IncomingMessage, need: 'user' | 'system-rw'): Promise<void> {
    const header = req.headers.authorization ?? '';
    const key = `${need}\0${header}`;
    const now = Date.now();
    if ((this.#authCache.get(key) ?? 0) > now) return;
    const leader = await this.#d.leaderOf('_system');
    const probe = need === 'user' ? '/_db/_system/_api/database/user' : '/_db/_system/_api/database';
    // the client's address goes along: the leader limits failed logins per client, not per coordinator
    const r = await callServer(leader.endpoint, 'GET', probe, header === '' ? undefined : header, undefined, req);
    if (r.status >= 300) relayError(r.status, r.body);
    if (this.#authCache.size > 10_000) this.#authCache.clear();
    const until = Math.min(now + AUTH_CACHE_MS, jwtExpiryMs(header));
    if (until > now) this.#authCache.set(key, until);
  }

  /** Of the planned databases `names`, those the caller may access (its level on each, asked from the `_system` leader). */
  async accessibleDatabases(req: IncomingMessage, names: string[]): Promise<string[]> {
    const user = userOf(req.headers.authorization);
    if (user === null || user === 'root') return names;
    const leader = await this.#d.leaderOf('_system');
    const levels = await Promise.all(names.map((db) =>
      callServer(leader.endpoint, 'GET', `/_db/_system/_api/user/${encodeURIComponent(user)}/database/${encodeURIComponent(db)}`, req.headers.authorization, undefined, req).then(
        (r) => (r.body as { result?: unknown } | null)?.result,
        () => 'none',
      ),
    ));
    return names.filter((_, i) => levels[i] === 'rw' || levels[i] === 'ro');
  }
}

/** The claims of a bearer JWT in `header`, unverified (the leader verified it), or null. */
function bearerClaims(header: string | undefined): { exp?: unknown; preferred_username?: unknown } | null {
  if (header === undefined || header.slice(0, 7).toLowerCase() !== 'bearer ') return null;
  try {
    return JSON.parse(Buffer.from(header.slice(7).trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; preferred_username?: unknown };
  } catch {
    return null;
  }
}

/** When a bearer JWT in `header` expires (ms since the epoch; +Infinity for other credentials or no `exp`). */
function jwtExpiryMs(header: string): number {
  const exp = bearerClaims(header)?.exp;
  return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
}

/** The user an (already verified) Authorization header names; null for a superuser JWT. */
function userOf(header: string | undefined): string | null {
  const [scheme = '', value = ''] = (header ?? '').split(' ', 2);
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(0, Math.max(0, decoded.indexOf(':')));
  }
  const name = bearerClaims(header)?.preferred_username;
  return typeof name === 'string' ? name : null;
}
