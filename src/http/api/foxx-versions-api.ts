import { ArangoError } from '../../errors/index.ts';
import type { ServiceManager } from '../../foxx/manager.ts';
import { listVersions, rollback } from '../../foxx/versions.ts';
import type { HttpReply, RequestContext } from '../context.ts';

/**
 * kitsune's Foxx versions API (beyond ArangoDB): `GET /_api/foxx/versions?mount=` lists the
 * bundles `_appbundles` keeps for the mount (`--foxx.keep-versions`), newest first;
 * `POST /_api/foxx/rollback?mount=&to=SIGNATURE` reinstalls one as an upgrade (configuration
 * kept; `setup`, `teardown`, `force` query flags as for PATCH /_api/foxx/service).
 */
export function registerFoxxVersionsApi(
  add: (method: string, path: string, fn: (ctx: RequestContext) => Promise<HttpReply> | HttpReply) => void,
  manager: ServiceManager,
  mountOf: (ctx: RequestContext) => string,
  info: (s: Awaited<ReturnType<typeof rollback>>) => Record<string, unknown>,
): void {
  add('GET', '/_api/foxx/versions', async (ctx) => ({
    status: 200,
    body: (await listVersions(manager, ctx.database, mountOf(ctx))).map((v) => ({ ...v, installedAt: new Date(v.installedAt).toISOString() })),
  }));
  add('POST', '/_api/foxx/rollback', async (ctx) => {
    const mount = mountOf(ctx);
    const to = ctx.query.get('to');
    if (to === null || to === '') throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', '"to" is required');
    const state = await rollback(manager, ctx.database, mount, to, { setup: ctx.flag('setup', true), teardown: ctx.flag('teardown', false), force: ctx.flag('force', false) });
    return { status: 200, body: info(state) };
  });
}
