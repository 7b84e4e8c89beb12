import type { Authenticator } from '../../auth/index.ts';
import { ArangoError } from '../../errors/index.ts';
import type { FoxxRuntime } from '../../foxx/foxx-runtime.ts';
import type { ServiceState } from '../../foxx/manager.ts';
import { downloadFileName, isValidMountQuery } from '../../foxx/mount.ts';
import { applyConfiguration, applyDependencies, configurationToJson, dependenciesToJson, getReadableName } from '../../foxx/options.ts';
import { renderTestReport, TEST_REPORTERS, type TestReporter } from '../../foxx/test-reporters.ts';
import { zipDirectory } from '../../foxx/zip-directory.ts';
import type { StorageEngine } from '../../storage/index.ts';
import { clientAddress, type HttpReply, type RequestContext } from '../context.ts';
import type { Router } from '../router.ts';
import { readServiceUpload } from './foxx-body.ts';
import { registerFoxxVersionsApi } from './foxx-versions-api.ts';

const SERVICE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function mountOf(ctx: RequestContext): string {
  const mount = ctx.query.get('mount');
  if (mount === null || mount === '' || !isValidMountQuery(mount)) {
    throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', mount === null ? '"mount" is required' : `"mount" with value "${mount}" fails to match the required pattern`);
  }
  return mount;
}

/** ArangoDB's full service description (`serviceToJson`, spec §2.2). */
export function fullInfo(s: ServiceState): Record<string, unknown> {
  const out: Record<string, unknown> = {
    mount: s.mount,
    path: s.spec.root,
    name: s.manifest.name,
    version: s.manifest.version,
    development: s.app.options.development,
    legacy: s.legacy,
    manifest: s.manifest,
    checksum: s.app.checksum,
    options: { configuration: s.app.options.configuration, dependencies: s.app.options.dependencies },
  };
  if (s.error !== undefined) {
    out.broken = true;
    out.error = s.error.message;
  }
  return out;
}

function shortInfo(s: ServiceState): Record<string, unknown> {
  return { mount: s.mount, name: s.manifest.name, version: s.manifest.version, provides: s.manifest.provides ?? {}, development: s.app.options.development, legacy: s.legacy };
}

function objectBody(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', '"request body" must be an object');
  return value as Record<string, unknown>;
}

function lifecycleFlags(ctx: RequestContext, teardownDefault: boolean): { setup: boolean; teardown: boolean; force: boolean; legacy: boolean; development?: boolean } {
  const dev = ctx.query.get('development');
  return {
    setup: ctx.flag('setup', true),
    teardown: ctx.flag('teardown', teardownDefault),
    force: ctx.flag('force', false),
    legacy: ctx.flag('legacy', false),
    ...(dev === null || dev === 'undefined' || dev === 'null' ? {} : { development: ctx.flag('development', false) }),
  };
}

/**
 * What the Foxx API needs: the databases, the runtime (a single server's {@link FoxxRuntime}, or a
 * coordinator's) and who a request's credentials name (`req.arangoUser` of service routes).
 */
export interface FoxxApiDeps {
  readonly engine: Pick<StorageEngine, 'hasDatabase'>;
  readonly runtime: Pick<FoxxRuntime, 'manager' | 'healed'>;
  readonly authenticator: Pick<Authenticator, 'authenticate'>;
}

/** Registers `/_api/foxx` (spec §2.3) and the catch-all routes of mounted services. */
export function registerFoxxApi(router: Router, deps: FoxxApiDeps): void {
  const { runtime } = deps;
  const manager = runtime.manager;
  const admin = (fn: (ctx: RequestContext) => Promise<HttpReply> | HttpReply) => (ctx: RequestContext) => {
    ctx.requireDatabase('rw');
    return fn(ctx);
  };
  const add = (method: string, path: string, fn: (ctx: RequestContext) => Promise<HttpReply> | HttpReply): void => router.add(method, path, admin(fn));

  add('GET', '/_api/foxx', (ctx) => {
    const exclude = ctx.flag('excludeSystem', false);
    const list = manager.services(ctx.database).filter((s) => s.error === undefined && !(exclude && s.mount.startsWith('/_')));
    return { status: 200, body: list.map(shortInfo) };
  });
  add('POST', '/_api/foxx', async (ctx) => {
    const mount = mountOf(ctx);
    const upload = await readServiceUpload(ctx);
    const flags = lifecycleFlags(ctx, false);
    const state = await manager.install(ctx.database, mount, upload.source, { ...flags, development: flags.development ?? false, ...upload });
    return { status: 201, body: fullInfo(state) };
  });
  add('GET', '/_api/foxx/service', (ctx) => ({ status: 200, body: fullInfo(manager.require(ctx.database, mountOf(ctx))) }));
  for (const [method, mode] of [['PUT', 'replace'], ['PATCH', 'upgrade']] as const) {
    add(method, '/_api/foxx/service', async (ctx) => {
      const mount = mountOf(ctx);
      const upload = await readServiceUpload(ctx);
      const state = await manager.replace(ctx.database, mount, upload.source, { ...lifecycleFlags(ctx, mode === 'replace'), ...upload }, mode);
      return { status: 200, body: fullInfo(state) };
    });
  }
  add('DELETE', '/_api/foxx/service', async (ctx) => {
    await manager.uninstall(ctx.database, mountOf(ctx), { teardown: ctx.flag('teardown', true), force: ctx.flag('force', false) });
    return { status: 204 };
  });

  registerFoxxVersionsApi(add, manager, mountOf, fullInfo);

  add('GET', '/_api/foxx/configuration', (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    return { status: 200, body: configurationToJson(s.manifest, s.app.options.configuration, { minimal: ctx.flag('minimal', false) }) };
  });
  add('GET', '/_api/foxx/dependencies', (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    return { status: 200, body: dependenciesToJson(s.manifest, s.app.options.dependencies, { minimal: ctx.flag('minimal', false) }) };
  });
  for (const method of ['PATCH', 'PUT']) {
    add(method, '/_api/foxx/configuration', async (ctx) => {
      const mount = mountOf(ctx);
      const input = objectBody(await ctx.json());
      const minimal = ctx.flag('minimal', true);
      let warnings: Record<string, string> | undefined;
      const s = await manager.updateOptions(ctx.database, mount, (st) => {
        const applied = applyConfiguration(st.manifest, st.app.options.configuration, input, { replace: method === 'PUT', development: st.app.options.development });
        warnings = applied.warnings;
        return { configuration: applied.raw };
      });
      if (minimal) return { status: 200, body: { values: configurationToJson(s.manifest, s.app.options.configuration, { minimal: true }), warnings } };
      return { status: 200, body: configurationToJson(s.manifest, s.app.options.configuration, { warnings }) };
    });
    add(method, '/_api/foxx/dependencies', async (ctx) => {
      const mount = mountOf(ctx);
      const input = objectBody(await ctx.json());
      const minimal = ctx.flag('minimal', true);
      let warnings: Record<string, string> | undefined;
      const s = await manager.updateOptions(ctx.database, mount, (st) => {
        const applied = applyDependencies(st.manifest, st.app.options.dependencies, input, { replace: method === 'PUT' });
        warnings = applied.warnings;
        return { dependencies: applied.raw };
      });
      if (minimal) return { status: 200, body: { values: dependenciesToJson(s.manifest, s.app.options.dependencies, { minimal: true }), warnings } };
      return { status: 200, body: dependenciesToJson(s.manifest, s.app.options.dependencies, { warnings }) };
    });
  }
  for (const [method, enabled] of [['POST', true], ['DELETE', false]] as const) {
    add(method, '/_api/foxx/development', async (ctx) => ({ status: 200, body: fullInfo(await manager.setDevelopment(ctx.database, mountOf(ctx), enabled)) }));
  }
  add('GET', '/_api/foxx/scripts', (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    const out: Record<string, string> = {};
    for (const name of Object.keys(s.manifest.scripts)) out[name] = getReadableName(name);
    return { status: 200, body: out };
  });
  add('POST', '/_api/foxx/scripts/:name', async (ctx) => {
    const mount = mountOf(ctx);
    const raw = await ctx.body();
    const argv = raw.length > 0 ? [await ctx.json()] : [];
    const result = await manager.runScript(ctx.database, mount, ctx.param(0), argv);
    return { status: 200, raw: Buffer.from(JSON.stringify(result ?? null)) };
  });
  add('POST', '/_api/foxx/tests', async (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    const requested = ctx.query.get('reporter') ?? 'default';
    if (!(TEST_REPORTERS as readonly string[]).includes(requested)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', `"reporter" must be one of [${TEST_REPORTERS.join(', ')}]`);
    const reporter = requested as TestReporter;
    const filter = ctx.query.get('filter');
    const report = await manager.pool.run({ type: 'tests', key: s.spec.key, reporter, ...(filter === null || filter === '' ? {} : { filter }) });
    const rendered = renderTestReport(reporter, report);
    const idiomaticParam = ctx.query.get('idiomatic');
    const accept = String(ctx.req.headers.accept ?? '');
    const prefers = rendered.contentType.split(';')[0] ?? '';
    // ArangoDB: `req.accepts([type, 'json']) === type`, so no Accept header (foxx-cli) means the idiomatic format.
    const typeAt = accept.indexOf(prefers);
    const jsonAt = accept.indexOf('json');
    const prefersType = accept === '' || accept.startsWith('*/*') || (typeAt !== -1 && (jsonAt === -1 || typeAt < jsonAt));
    const idiomatic = idiomaticParam !== null && idiomaticParam !== 'undefined' ? ctx.flag('idiomatic', false) : prefersType;
    if (idiomatic) return { status: 200, raw: Buffer.from(rendered.body), headers: { 'content-type': rendered.contentType } };
    return { status: 200, raw: Buffer.from(JSON.stringify(report)) };
  });
  add('POST', '/_api/foxx/download', async (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    const stored = s.app.options.development ? undefined : manager.store.bundle(ctx.database, s.app.checksum);
    const data = stored ?? (await zipDirectory(s.spec.root));
    return { status: 200, raw: data, headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${downloadFileName(s.mount)}"` } };
  });
  add('GET', '/_api/foxx/readme', async (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    const fs = await import('node:fs/promises');
    for (const name of ['README.md', 'README']) {
      const text = await fs.readFile(`${s.spec.root}/${name}`).catch(() => undefined);
      if (text !== undefined) return { status: 200, raw: text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    }
    return { status: 204 };
  });
  add('GET', '/_api/foxx/swagger', async (ctx) => {
    const s = manager.require(ctx.database, mountOf(ctx));
    return { status: 200, body: await manager.pool.run({ type: 'swagger', key: s.spec.key }) };
  });
  add('POST', '/_api/foxx/commit', async (ctx) => {
    for (const s of manager.services(ctx.database)) {
      const local = await manager.files.readBundle(ctx.database, s.mount);
      if (local !== undefined) await manager.store.putBundle(ctx.database, s.app.checksum, local);
    }
    await manager.heal(ctx.database);
    return { status: 204 };
  });
  add('POST', '/_api/foxx/_local/heal', async (ctx) => {
    await manager.heal(ctx.database);
    return { status: 204 };
  });

  registerServiceRoutes(router, deps);
}

function registerServiceRoutes(router: Router, deps: FoxxApiDeps): void {
  const registered = new Set<string>();
  const serve = async (ctx: RequestContext): Promise<HttpReply> => {
    if (!deps.engine.hasDatabase(ctx.database)) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const body = await ctx.body();
    let arangoUser: string | null = null;
    try {
      arangoUser = (await deps.authenticator.authenticate(ctx.req.headers.authorization, clientAddress(ctx)))?.user ?? null;
    } catch {
      arangoUser = null;
    }
    const socket = ctx.req.socket;
    const host = String(ctx.req.headers.host ?? 'localhost');
    const res = await deps.runtime.manager.handle(
      ctx.database,
      ctx.path,
      {
        method: ctx.method,
        query: q === -1 ? '' : url.slice(q + 1),
        headers: ctx.req.headers as Record<string, string | string[] | undefined>,
        body,
        arangoUser,
        protocol: 'http',
        hostname: host.replace(/:\d+$/, ''),
        port: socket.localPort ?? 0,
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
      },
      deps.runtime.healed,
    );
    if (res === undefined) throw new ArangoError('ERROR_HTTP_NOT_FOUND', `unknown path '${ctx.path}'`);
    const data = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    ctx.res.writeHead(res.status, { ...res.headers, 'content-length': data.length });
    ctx.res.end(ctx.method === 'HEAD' ? undefined : data);
    return { status: res.status };
  };
  deps.runtime.manager.onMount((mount) => {
    const first = mount.split('/')[1] ?? '';
    if (first === '' || registered.has(first)) return;
    registered.add(first);
    // Services are not authenticated by the server (ArangoDB's authentication-system-only).
    router.add(SERVICE_METHODS, `/${first}/*`, serve, { open: true });
  });
}
