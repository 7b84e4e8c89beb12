import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { allows, type AccessLevel, type Principal, type UserStore } from '../auth/index.ts';
import { ArangoError } from '../errors/index.ts';
import { readBody, parseJsonBody, type BodyBudget } from './body.ts';
import { clientAddressOf } from './client-address.ts';

/** What a handler returns; the server serialises it. `raw` bytes are sent as JSON text as is. */
export interface HttpReply {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One request as handlers see it: database, path parameters, query, body and the caller's rights. */
export class RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Path without the `/_db/<name>` prefix, still URL-encoded. */
  readonly path: string;
  readonly database: string;
  readonly #queryString: string;
  #query: URLSearchParams | undefined;
  readonly principal: Principal | null;
  readonly log: Logger;
  params: readonly string[] = [];
  readonly #users: UserStore | undefined;
  readonly #maxBodyBytes: number;
  readonly #bodyBudget: BodyBudget | undefined;
  #body: Promise<Buffer> | undefined;

  constructor(init: {
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    path: string;
    database: string;
    queryString: string;
    principal: Principal | null;
    /** Absent where no users are stored (a coordinator checks rights before it builds a context). */
    users?: UserStore;
    maxBodyBytes: number;
    bodyBudget?: BodyBudget;
    log: Logger;
  }) {
    this.req = init.req;
    this.res = init.res;
    this.method = init.method;
    this.path = init.path;
    this.database = init.database;
    this.#queryString = init.queryString;
    this.principal = init.principal;
    this.#users = init.users;
    this.#maxBodyBytes = init.maxBodyBytes;
    this.#bodyBudget = init.bodyBudget;
    this.log = init.log;
  }

  /** The query string's parameters (parsed on first use: most requests have none). */
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#queryString);
    return this.#query;
  }

  /** Path parameter `i`, URL-decoded. */
  param(i: number): string {
    const p = this.params[i];
    if (p === undefined) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'missing path parameter');
    try {
      return decodeURIComponent(p);
    } catch {
      throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid URL encoding');
    }
  }

  /** Raw request body (read once, limited to the configured size: 413 above). */
  body(): Promise<Buffer> {
    if (!this.#body) {
      const { body, release } = readBody(this.req, this.#maxBodyBytes, this.#bodyBudget);
      // the buffered bytes count against the global budget until the request is answered
      this.res.once('close', release);
      this.#body = body;
    }
    return this.#body;
  }

  /** Body parsed as JSON (600 when malformed); `undefined` for an empty body. */
  async json(): Promise<unknown> {
    return parseJsonBody(await this.body());
  }

  /** A query flag: `true`/`1`/`yes` → true, `false`/`0`/`no` → false, absent or anything else → `dflt`. */
  flag(name: string, dflt: boolean): boolean {
    if (this.#queryString === '') return dflt;
    const v = this.query.get(name);
    if (v === null) return dflt;
    const s = v.toLowerCase();
    if (s === '' || s === 'true' || s === '1' || s === 'yes' || s === 'on') return true;
    if (s === 'false' || s === '0' || s === 'no' || s === 'off') return false;
    // clients send `undefined`/`null` for options they did not set: treat as absent
    return dflt;
  }

  /** The acting user name (root when authentication is off). */
  get user(): string {
    return this.principal?.user ?? 'root';
  }

  get isSuperuser(): boolean {
    return this.principal === null || this.principal.superuser || this.principal.user === 'root';
  }

  /** The caller's level on this request's database. */
  databaseLevel(database = this.database): AccessLevel {
    if (this.isSuperuser) return 'rw';
    return this.#users?.databaseLevel(this.user, database) ?? 'none';
  }

  /** The caller's level on a collection of this database. */
  collectionLevel(collection: string): AccessLevel {
    if (this.isSuperuser) return 'rw';
    return this.#users?.collectionLevel(this.user, this.database, collection) ?? 'none';
  }

  /** Throws 403 (errorNum 11) unless the caller has `need` on a collection of this database. */
  requireCollection(collection: string, need: AccessLevel): void {
    // only the server itself (superuser JWT) or a server without authentication skips the check:
    // root is a user too and has no access to secret system collections (password hashes)
    if (this.principal === null || this.principal.superuser) return;
    if (!allows(this.#users?.collectionLevel(this.user, this.database, collection) ?? 'none', need)) {
      throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request');
    }
  }

  /** Throws 403 unless the caller has `need` on the database (`rw` = administers it). */
  requireDatabase(need: AccessLevel, database = this.database): void {
    if (!allows(this.databaseLevel(database), need)) throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request');
  }
}

/** The caller's address, the client identity for login rate limiting. */
export function clientAddress(ctx: RequestContext): string {
  return clientAddressOf(ctx.req);
}
