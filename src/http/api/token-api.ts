import type { AccessTokenStore, UserStore } from '../../auth/index.ts';
import { ArangoError } from '../../errors/index.ts';
import { isPlainObject } from '../../storage/index.ts';
import type { RequestContext } from '../context.ts';
import type { Router } from '../router.ts';

/** A user manages its own tokens; admins (rw on `_system`) anyone's. */
function requireSelfOrAdmin(ctx: RequestContext, user: string): void {
  if (ctx.principal !== null && ctx.user === user) return;
  ctx.requireDatabase('rw', '_system');
}

/** `/_api/token/{user}`: create, list and delete a user's access tokens. */
export function registerTokenApi(router: Router, users: UserStore, tokens: AccessTokenStore): void {
  const any = { anyDatabase: true } as const;
  const user = (ctx: RequestContext): string => {
    const name = ctx.param(0);
    requireSelfOrAdmin(ctx, name);
    if (!users.has(name)) throw new ArangoError('ERROR_USER_NOT_FOUND');
    return name;
  };

  router.add('POST', '/_api/token/:user', async (ctx) => {
    const name = user(ctx);
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_BAD_PARAMETER', 'expecting a JSON object');
    return { status: 200, body: await tokens.create(name, body['name'], body['valid_until']) };
  }, any);

  router.add('GET', '/_api/token/:user', (ctx) => ({ status: 200, body: { tokens: tokens.list(user(ctx)) } }), any);

  router.add('DELETE', '/_api/token/:user/:id', async (ctx) => {
    const name = user(ctx);
    const id = Number(ctx.param(1));
    if (!Number.isInteger(id)) throw new ArangoError('ERROR_BAD_PARAMETER', 'invalid token id');
    await tokens.remove(name, id);
    return { status: 200, body: { error: false, code: 200 } };
  }, any);
}
