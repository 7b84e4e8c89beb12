import { parseAccessLevel, type Authenticator, type UserStore } from '../../auth/index.ts';
import { ArangoError } from '../../errors/index.ts';
import { isPlainObject, type StorageEngine } from '../../storage/index.ts';
import { clientAddress, type RequestContext } from '../context.ts';
import type { Router } from '../router.ts';

/** Admins (rw on `_system`) manage everyone; a user may read and change only itself. */
function requireSelfOrAdmin(ctx: RequestContext, user: string): void {
  if (ctx.user === user && !ctx.isSuperuser && ctx.principal !== null) return;
  ctx.requireDatabase('rw', '_system');
}

/** `/_api/user` (users and their access levels) and `/_open/auth` (JWT login). */
/**
 * `isKnownDatabase` decides whether a grant may name a database; a cluster DB-server holds only some
 * databases (its coordinator checks the plan), so it accepts grants for databases it does not hold.
 */
export function registerUserApi(
  router: Router,
  engine: StorageEngine,
  users: UserStore,
  auth: Authenticator,
  isKnownDatabase: (name: string) => boolean = (name) => engine.hasDatabase(name),
): void {
  const any = { anyDatabase: true } as const;

  router.add('POST', '/_open/auth', async (ctx) => {
    const body = await ctx.json();
    const username = isPlainObject(body) ? body['username'] : undefined;
    const password = isPlainObject(body) ? (body['password'] ?? '') : undefined;
    const user = typeof username === 'string' && typeof password === 'string' ? await auth.login(username, password, clientAddress(ctx)) : null;
    if (user === null) throw new ArangoError('ERROR_HTTP_UNAUTHORIZED', 'Wrong credentials');
    return { status: 200, body: { jwt: auth.issueUserToken(user) } };
  }, { open: true });

  router.add('GET', '/_api/user', (ctx) => {
    if (!ctx.isSuperuser && ctx.databaseLevel('_system') !== 'rw') {
      return { status: 200, body: { error: false, code: 200, result: [users.get(ctx.user)] } };
    }
    return { status: 200, body: { error: false, code: 200, result: users.list() } };
  }, any);

  router.add('POST', '/_api/user', async (ctx) => {
    ctx.requireDatabase('rw', '_system');
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON object');
    const info = await users.create(body['user'], body['passwd'], body['active'], body['extra']);
    return { status: 201, body: { error: false, code: 201, ...info } };
  }, any);

  router.add('GET', '/_api/user/:user', (ctx) => {
    const user = ctx.param(0);
    requireSelfOrAdmin(ctx, user);
    return { status: 200, body: { error: false, code: 200, ...users.get(user) } };
  }, any);

  const modify = (replace: boolean) => async (ctx: RequestContext) => {
    const user = ctx.param(0);
    requireSelfOrAdmin(ctx, user);
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON object');
    return { status: 200, body: { error: false, code: 200, ...(await users.modify(user, body, replace)) } };
  };
  router.add('PATCH', '/_api/user/:user', modify(false), any);
  router.add('PUT', '/_api/user/:user', modify(true), any);

  router.add('DELETE', '/_api/user/:user', async (ctx) => {
    ctx.requireDatabase('rw', '_system');
    await users.remove(ctx.param(0));
    return { status: 202, body: { error: false, code: 202 } };
  }, any);

  router.add('GET', '/_api/user/:user/database', (ctx) => {
    const user = ctx.param(0);
    requireSelfOrAdmin(ctx, user);
    users.get(user);
    const full = ctx.flag('full', false);
    const result: Record<string, unknown> = {};
    for (const db of engine.databaseNames()) {
      const level = users.databaseLevel(user, db);
      if (!full) {
        if (level !== 'none') result[db] = level;
        continue;
      }
      const collections: Record<string, string> = {};
      for (const c of engine.collections(db)) collections[c.name] = users.collectionLevel(user, db, c.name);
      result[db] = { permission: level, collections };
    }
    return { status: 200, body: { error: false, code: 200, result } };
  }, any);

  router.add('GET', '/_api/user/:user/database/:db', (ctx) => {
    const user = ctx.param(0);
    requireSelfOrAdmin(ctx, user);
    users.get(user);
    return { status: 200, body: { error: false, code: 200, result: users.databaseLevel(user, ctx.param(1)) } };
  }, any);

  router.add('GET', '/_api/user/:user/database/:db/:collection', (ctx) => {
    const user = ctx.param(0);
    requireSelfOrAdmin(ctx, user);
    users.get(user);
    return { status: 200, body: { error: false, code: 200, result: users.collectionLevel(user, ctx.param(1), ctx.param(2)) } };
  }, any);

  const grant = (withCollection: boolean, clear: boolean) => async (ctx: RequestContext) => {
    ctx.requireDatabase('rw', '_system');
    const user = ctx.param(0);
    const db = ctx.param(1);
    const collection = withCollection ? ctx.param(2) : undefined;
    if (db !== '*' && !isKnownDatabase(db)) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
    if (collection !== undefined && collection !== '*' && db !== '*' && engine.hasDatabase(db)) engine.collection(db, collection);
    let level;
    if (!clear) {
      const body = await ctx.json();
      level = parseAccessLevel(isPlainObject(body) ? body['grant'] : undefined);
    }
    await users.setAccess(user, db, collection, level);
    const label = collection === undefined ? db : `${db}/${collection}`;
    return clear ? { status: 202, body: { error: false, code: 202 } } : { status: 200, body: { error: false, code: 200, [label]: level } };
  };
  router.add('PUT', '/_api/user/:user/database/:db', grant(false, false), any);
  router.add('PUT', '/_api/user/:user/database/:db/:collection', grant(true, false), any);
  router.add('DELETE', '/_api/user/:user/database/:db', grant(false, true), any);
  router.add('DELETE', '/_api/user/:user/database/:db/:collection', grant(true, true), any);
}
