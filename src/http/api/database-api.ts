import type { UserStore } from '../../auth/index.ts';
import { ArangoError } from '../../errors/index.ts';
import { catalog, isPlainObject, type StorageEngine } from '../../storage/index.ts';
import type { RequestContext } from '../context.ts';
import type { Router } from '../router.ts';

function requireSystem(ctx: RequestContext): void {
  if (ctx.database !== '_system') throw new ArangoError('ERROR_ARANGO_USE_SYSTEM_DATABASE');
}

/** `/_api/database` — list, list for the user, current, create (with `users`), drop. */
export function registerDatabaseApi(router: Router, engine: StorageEngine, users: UserStore): void {
  router.add('GET', '/_api/database', (ctx) => {
    requireSystem(ctx);
    ctx.requireDatabase('rw', '_system');
    return { status: 200, body: { error: false, code: 200, result: engine.databaseNames() } };
  });

  router.add('GET', '/_api/database/user', (ctx) => {
    const result = engine.databaseNames().filter((db) => ctx.databaseLevel(db) !== 'none');
    return { status: 200, body: { error: false, code: 200, result } };
  }, { anyDatabase: true });

  router.add('GET', '/_api/database/current', (ctx) => {
    const db = engine.database(ctx.database);
    return {
      status: 200,
      body: { error: false, code: 200, result: { name: db.name, id: db.id, path: '', isSystem: db.name === '_system', sharding: '', replicationFactor: 1, writeConcern: 1 } },
    };
  });

  router.add('POST', '/_api/database', async (ctx) => {
    requireSystem(ctx);
    ctx.requireDatabase('rw', '_system');
    const body = await ctx.json();
    if (!isPlainObject(body) || typeof body['name'] !== 'string') throw new ArangoError('ERROR_ARANGO_DATABASE_NAME_INVALID');
    const name = body['name'];
    const wanted = body['users'];
    if (wanted !== undefined && !Array.isArray(wanted)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'users must be an array');
    await catalog.createDatabase(engine, name);
    for (const u of wanted ?? []) {
      if (!isPlainObject(u)) continue;
      const username = u['username'] ?? u['user'];
      if (typeof username !== 'string') throw new ArangoError('ERROR_USER_INVALID_NAME');
      if (!users.has(username)) await users.create(username, u['passwd'], u['active'], u['extra']);
      await users.setAccess(username, name, undefined, 'rw');
    }
    if (!ctx.isSuperuser && wanted === undefined) await users.setAccess(ctx.user, name, undefined, 'rw');
    return { status: 201, body: { error: false, code: 201, result: true } };
  });

  router.add('DELETE', '/_api/database/:name', async (ctx) => {
    requireSystem(ctx);
    ctx.requireDatabase('rw', '_system');
    await catalog.dropDatabase(engine, ctx.param(0));
    return { status: 200, body: { error: false, code: 200, result: true } };
  });
}
