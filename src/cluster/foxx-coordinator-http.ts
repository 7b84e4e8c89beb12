import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { verifyJwt, type Principal } from '../auth/index.ts';
import { ArangoError } from '../errors/index.ts';
import { bundleChecksum, sha256Hex } from '../foxx/signature.ts';
import { zipDirectory } from '../foxx/zip-directory.ts';
import { registerFoxxApi } from '../http/api/foxx-api.ts';
import { RequestContext, Router, send, type BodyBudget } from '../http/index.ts';
import type { CoordinatorFoxxHook } from './coordinator.ts';
import type { CoordinatorFoxx } from './foxx-coordinator.ts';
import { callServer, relayError } from './forward.ts';

/** What the coordinator's Foxx HTTP layer needs. */
export interface CoordinatorFoxxHttpDeps {
  readonly foxx: CoordinatorFoxx;
  readonly secret: string;
  readonly authEnabled: boolean;
  readonly maxBodyBytes: number;
  /** The coordinator's one budget for buffered request bodies (service routes read theirs unauthenticated). */
  readonly bodyBudget: BodyBudget;
  /** The `_system` leader, which holds the users. */
  readonly usersEndpoint: () => Promise<string>;
  readonly foxxmaster: () => { foxxmaster: string | null; isFoxxmaster: boolean };
  readonly log: Logger;
}

const AUTH_CACHE_MS = 5000;
/** Foxx API calls that change `_apps`: after them the change is propagated to every coordinator. */
const READ_ONLY = /^\/_api\/foxx\/(tests|scripts|download|readme|swagger|versions|_local)(\/|$)/;

/**
 * The Foxx requests of a coordinator: `/_api/foxx…` (the single server's handlers from
 * `http/api/foxx-api.ts` over the coordinator's {@link CoordinatorFoxx}), service routes (any path whose
 * first segment does not start with `_`), and `GET /_admin/cluster/foxx`. Before a change it heals
 * the database (so it acts on the current `_apps`), after a change it propagates it.
 */
export function createCoordinatorFoxxHandler(d: CoordinatorFoxxHttpDeps): CoordinatorFoxxHook {
  const { foxx } = d;
  const router = new Router();
  const levels = new Map<string, { level: string; user: string | null; until: number }>();

  /** The caller's user and level on `database` (asked from the `_system` leader, cached 5 s). */
  const identify = async (header: string | undefined, database: string, req?: IncomingMessage): Promise<{ user: string | null; superuser: boolean; level: string }> => {
    if (header === undefined || header === '') return { user: null, superuser: false, level: 'none' };
    const [scheme = '', value = ''] = header.split(' ', 2);
    // a bearer token is verified once, here; its claims name the user below
    const claims = scheme.toLowerCase() === 'bearer' ? verifyJwt(value, d.secret) : undefined;
    if (claims === null) return { user: null, superuser: false, level: 'none' };
    if (claims !== undefined && claims.preferred_username === undefined) return { user: null, superuser: true, level: 'rw' };
    const key = `${database}\u0000${header}`;
    const cached = levels.get(key);
    if (cached !== undefined && cached.until > Date.now()) return { user: cached.user, superuser: false, level: cached.level };
    let user: string | null = null;
    // a JWT's level is cached no longer than the token lives
    let until = Date.now() + AUTH_CACHE_MS;
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    } else {
      user = claims?.preferred_username ?? null;
      if (claims?.exp !== undefined) until = Math.min(until, claims.exp * 1000);
    }
    if (user === null) return { user: null, superuser: false, level: 'none' };
    // with the client's address, so the leader limits failed logins per client
    const r = await callServer(await d.usersEndpoint(), 'GET', `/_db/_system/_api/user/${encodeURIComponent(user)}/database/${encodeURIComponent(database)}`, header, undefined, req);
    if (r.status === 401) return { user: null, superuser: false, level: 'none' };
    if (r.status >= 300) relayError(r.status, r.body);
    const result = (r.body as { result?: unknown } | null)?.result;
    const level = typeof result === 'string' ? result : 'none';
    if (levels.size > 10_000) levels.clear();
    levels.set(key, { level, user, until });
    return { user, superuser: false, level };
  };

  const authorize = async (req: IncomingMessage, database: string, need: 'rw' | 'any'): Promise<Principal | null> => {
    if (!d.authEnabled) return null;
    const who = await identify(req.headers.authorization, database, req);
    if (!who.superuser && who.user === null) throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request', { httpStatus: 401 });
    if (need === 'rw' && who.level !== 'rw') throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request');
    // the rights are checked here: the handlers see a caller that may administer the database
    return { user: who.user ?? 'root', superuser: true };
  };

  // coordinator-only routes first (the router takes the first match)
  router.add('POST', '/_api/foxx/_local/heal', async (ctx) => {
    const body = await ctx.json().catch(() => undefined);
    const generation = (body as { generation?: unknown } | undefined)?.generation;
    await foxx.healGeneration(ctx.database, typeof generation === 'string' ? generation : undefined);
    return { status: 204 };
  });
  router.add('GET', '/_api/foxx/_local/status', () => ({ status: 200, body: foxx.localStatus() }));
  router.add('POST', '/_api/foxx/commit', async (ctx) => {
    // this coordinator's folders become the cluster's state: a service whose files differ (edits in
    // development mode) gets its folder zipped as the new bundle
    const { manager, store } = foxx;
    for (const s of manager.services(ctx.database)) {
      const bundle = s.app.options.development ? await zipDirectory(s.spec.root) : await manager.files.readBundle(ctx.database, s.mount);
      if (bundle === undefined) continue;
      const checksum = bundleChecksum(bundle);
      await store.putBundle(ctx.database, checksum, bundle);
      if (checksum !== s.app.checksum) {
        await store.putApp(ctx.database, { mount: s.mount, checksum, sha256: sha256Hex(bundle), options: s.app.options });
        await fs.writeFile(manager.files.bundleFile(ctx.database, s.mount), bundle);
      }
    }
    await foxx.heal(ctx.database);
    return { status: 204 };
  });
  router.add('GET', '/_admin/cluster/foxx', async () => ({ status: 200, body: { error: false, code: 200, ...(await foxx.rolloutStatus()) } }));
  registerFoxxApi(router, {
    engine: { hasDatabase: (name) => foxx.hasDatabase(name) },
    runtime: foxx,
    authenticator: {
      authenticate: async (header) => {
        const who = await identify(header, '_system').catch(() => null);
        return who === null || (who.user === null && !who.superuser) ? null : { user: who.user ?? 'root', superuser: who.superuser };
      },
    },
  });

  return {
    foxxmaster: d.foxxmaster,
    async handle(req: IncomingMessage, res: ServerResponse, database: string, path: string): Promise<boolean> {
      const isApi = path === '/_api/foxx' || path.startsWith('/_api/foxx/');
      const isStatus = path === '/_admin/cluster/foxx';
      const first = path.split('/')[1] ?? '';
      const isService = !isApi && !isStatus && first !== '' && !first.startsWith('_');
      if (!isApi && !isStatus && !isService) return false;
      const method = req.method ?? 'GET';
      if (isService && !foxx.healed) throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'waiting for initialization of Foxx services in this database');
      const match = router.match(method, path);
      if (match.kind === 'not-found') throw new ArangoError('ERROR_HTTP_NOT_FOUND', `unknown path '${path}'`);
      if (match.kind === 'method-not-allowed') throw new ArangoError('ERROR_HTTP_METHOD_NOT_ALLOWED');
      const principal = isService ? null : await authorize(req, database, isStatus ? 'any' : 'rw');
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const ctx = new RequestContext({ req, res, method, path, database, queryString: q === -1 ? '' : url.slice(q + 1), principal, maxBodyBytes: d.maxBodyBytes, bodyBudget: d.bodyBudget, log: d.log });
      ctx.params = match.params;
      const changes = isApi && method !== 'GET' && method !== 'HEAD' && !READ_ONLY.test(path);
      if (isApi && !path.startsWith('/_api/foxx/_local')) {
        if (!foxx.hasDatabase(database)) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
        // act on the current `_apps` (another coordinator may have changed it a moment ago)
        if (changes || !foxx.healed) await foxx.heal(database);
      }
      const reply = await match.handler(ctx);
      if (changes && reply.status < 400) await foxx.propagate(database);
      if (!res.writableEnded) send(res, reply, method === 'HEAD');
      return true;
    },
  };
}
