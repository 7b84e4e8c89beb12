import { ArangoError } from '../../errors/index.ts';
import { UserFunctions } from '../../query/index.ts';
import { isPlainObject, type StorageEngine } from '../../storage/index.ts';
import type { RequestContext } from '../context.ts';
import type { Router } from '../router.ts';

/** `/_api/aqlfunction`: register, list and remove AQL user functions (`NS::NAME`). */
export function registerAqlFunctionApi(router: Router, engine: StorageEngine): void {
  const functions = (ctx: RequestContext): UserFunctions => new UserFunctions(engine, ctx.database);

  router.add('GET', '/_api/aqlfunction', (ctx) => {
    const ns = ctx.query.get('namespace') ?? undefined;
    return { status: 200, body: { error: false, code: 200, result: functions(ctx).list(ns) } };
  });

  router.add('POST', '/_api/aqlfunction', async (ctx) => {
    ctx.requireDatabase('rw');
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_BAD_PARAMETER', 'expecting a JSON object');
    const isNewlyCreated = await functions(ctx).register(body['name'], body['code'], body['isDeterministic']);
    const status = isNewlyCreated ? 201 : 200;
    return { status, body: { error: false, code: status, isNewlyCreated } };
  });

  router.add('DELETE', '/_api/aqlfunction/:name', async (ctx) => {
    ctx.requireDatabase('rw');
    const deletedCount = await functions(ctx).remove(ctx.param(0), ctx.flag('group', false));
    return { status: 200, body: { error: false, code: 200, deletedCount } };
  });
}
