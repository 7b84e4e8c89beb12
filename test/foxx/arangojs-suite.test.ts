// The behaviour arangojs's own Foxx suite checks (its 22-foxx-api tests), with our own fixtures:
// installs from five kinds of source, replace/upgrade over another service, configuration and
// dependencies (full and minimal, update merges, replace overwrites), listing, info, scripts,
// development mode, tests, readme, swagger, and 400 for a missing or invalid mount on every route.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

const MOUNT = '/foxx-suite';
const zipOf = (files: Record<string, string | Buffer>): Buffer => craftZip(Object.entries(files).map(([name, data]) => ({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) })));
const blob = (bytes: Buffer): Blob => new Blob([bytes], { type: 'application/zip' });

const MINIMAL_MANIFEST = JSON.stringify({ name: 'minimal-working-manifest', version: '0.0.0', main: 'index.js' });
const MINIMAL_MAIN = `'use strict';\nconst router = require('@arangodb/foxx/router')();\nmodule.context.use(router);\nrouter.get((req, res) => { res.send({ hello: 'world' }); });\n`;
const MINIMAL = zipOf({ 'manifest.json': MINIMAL_MANIFEST, 'index.js': MINIMAL_MAIN });
/** Another service, installed first so that replace/upgrade have something to replace. */
const OTHER = zipOf({
  'manifest.json': JSON.stringify({ name: 'other', version: '1.2.0', main: 'main.js', license: 'Apache License, Version 2.0', defaultDocument: 'index' }),
  'main.js': `'use strict';\nconst router = require('@arangodb/foxx/router')();\nmodule.context.use(router);\nrouter.get('/index', (req, res) => res.send('other'));\n`,
});
/** A service that ships the minimal service as a folder, a JS file and a zip, and says where they are. */
const PATHS = zipOf({
  'manifest.json': JSON.stringify({ name: 'paths', version: '1.0.0', main: 'index.js' }),
  'index.js': `'use strict';\nconst router = require('@arangodb/foxx/router')();\nmodule.context.use(router);
router.get((req, res) => res.json({ dir: module.context.fileName('services/minimal'), js: module.context.fileName('services/minimal/index.js'), zip: module.context.fileName('services/minimal.zip') }));\n`,
  'services/minimal/manifest.json': MINIMAL_MANIFEST,
  'services/minimal/index.js': MINIMAL_MAIN,
  'services/minimal.zip': MINIMAL,
});
const WITH_CONFIGURATION = zipOf({ 'manifest.json': JSON.stringify({ configuration: { test1: { description: 'a string', type: 'string' }, test2: { description: 'another string', type: 'string' } } }) });
const WITH_DEPENDENCIES = zipOf({ 'manifest.json': JSON.stringify({ dependencies: { test1: { description: 'a string' }, test2: { description: 'another string' } } }) });
const SETUP_TEARDOWN = zipOf({
  'manifest.json': JSON.stringify({ name: 'setup-teardown', version: '0.0.0', main: 'index.js', scripts: { setup: 'setup.js', teardown: 'teardown.js' } }),
  'index.js': MINIMAL_MAIN,
  'setup.js': `'use strict';\nconst { db } = require('@arangodb');\nconst name = module.context.collectionName('setup_teardown');\nif (!db._collection(name)) db._createDocumentCollection(name);\n`,
  'teardown.js': `'use strict';\nconst { db } = require('@arangodb');\nconst c = db._collection(module.context.collectionName('setup_teardown'));\nif (c) c.drop();\n`,
});
const ECHO = zipOf({ 'manifest.json': JSON.stringify({ scripts: { echo: 'echo.js' } }), 'echo.js': `'use strict';\nmodule.exports = module.context.argv;\n` });
const TEST_FILE = `'use strict';\nconst expect = require('chai').expect;\ndescribe('comparison', () => {\n  it('passes', () => expect(true).to.equal(true));\n  it('fails', () => expect(true).to.equal(false));\n});\n`;
const WITH_TESTS = zipOf({ 'manifest.json': JSON.stringify({ tests: ['test1.js', 'test2.js'] }), 'test1.js': TEST_FILE, 'test2.js': TEST_FILE });
const WITH_README = zipOf({ 'manifest.json': '{}', 'README.md': 'Please read this.' });

async function failure(p: Promise<unknown>): Promise<{ code?: number; errorNum?: number }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: number; errorNum?: number };
  }
  assert.fail('expected the call to fail');
}

describe("arangojs's Foxx suite, with our fixtures", () => {
  const tmp = tempDir('kitsune-foxx-suite-');
  let server: ServerHandle;
  let system: Database;
  let db: Database;
  let paths: { dir: string; js: string; zip: string };

  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    system = server.db();
    db = await system.createDatabase(`suite_${Date.now()}`);
    await db.installService('/foxx-suite-paths', blob(PATHS));
    paths = (await db.route('/foxx-suite-paths').get()).parsedBody as typeof paths;
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });
  afterEach(async () => {
    await db.uninstallService(MOUNT, { force: true }).catch(() => undefined);
  });

  const sources: ReadonlyArray<readonly [string, () => string | Blob]> = [
    ['a JS file on the server', () => paths.js],
    ['a zip file on the server', () => paths.zip],
    ['a folder on the server', () => paths.dir],
    ['a JS blob', () => new Blob([MINIMAL_MAIN])],
    ['a zip blob', () => blob(MINIMAL)],
  ];
  for (const [name, source] of sources) {
    it(`installs from ${name}`, async () => {
      await db.installService(MOUNT, source());
      assert.deepEqual((await db.route(MOUNT).get()).parsedBody, { hello: 'world' });
    });
    for (const mode of ['replace', 'upgrade'] as const) {
      it(`${mode}s another service with ${name}`, async () => {
        await db.installService(MOUNT, blob(OTHER));
        await (mode === 'replace' ? db.replaceService(MOUNT, source()) : db.upgradeService(MOUNT, source()));
        assert.deepEqual((await db.route(MOUNT).get()).parsedBody, { hello: 'world' });
      });
    }
  }

  it('an uninstalled service no longer answers', async () => {
    await db.installService(MOUNT, blob(MINIMAL));
    await db.uninstallService(MOUNT);
    await failure(db.route(MOUNT).get());
  });

  it('reports empty configuration and dependencies for a service without any', async () => {
    await db.installService(MOUNT, blob(MINIMAL));
    assert.deepEqual(await db.getServiceConfiguration(MOUNT), {});
    assert.deepEqual(await db.getServiceConfiguration(MOUNT, true), {});
    assert.deepEqual(await db.getServiceDependencies(MOUNT), {});
    assert.deepEqual(await db.getServiceDependencies(MOUNT, true), {});
  });

  // configuration and dependencies behave alike: [kind, fixture, value of test1, value of test2]
  const optionKinds = [
    ['configuration', WITH_CONFIGURATION, 'test', 'test2'],
    ['dependencies', WITH_DEPENDENCIES, '/test', '/test2'],
  ] as const;
  type Full = Record<string, { current?: unknown; warning?: string }>;
  type Minimal = { values: Record<string, unknown>; warnings?: Record<string, string> };
  for (const [kind, fixture, v1, v2] of optionKinds) {
    const get = (minimal?: boolean) => (kind === 'configuration' ? db.getServiceConfiguration(MOUNT, minimal as true) : db.getServiceDependencies(MOUNT, minimal as true)) as Promise<unknown>;
    const update = (values: Record<string, string>, minimal?: boolean) =>
      (kind === 'configuration' ? db.updateServiceConfiguration(MOUNT, values, minimal as true) : db.updateServiceDependencies(MOUNT, values, minimal as true)) as Promise<unknown>;
    const replace = (values: Record<string, string>, minimal?: boolean) =>
      (kind === 'configuration' ? db.replaceServiceConfiguration(MOUNT, values, minimal as true) : db.replaceServiceDependencies(MOUNT, values, minimal as true)) as Promise<unknown>;

    it(`${kind}: listed without current values after install (full), empty (minimal)`, async () => {
      await db.installService(MOUNT, blob(fixture));
      const full = (await get()) as Full;
      assert.deepEqual(Object.keys(full).sort(), ['test1', 'test2']);
      assert.ok(!('current' in (full.test1 ?? {})) && !('current' in (full.test2 ?? {})));
      assert.deepEqual(await get(true), {});
    });

    it(`${kind}: update sets one value without warnings (full and minimal answers)`, async () => {
      await db.installService(MOUNT, blob(fixture));
      const full = (await update({ test1: v1 })) as Full;
      assert.equal(full.test1?.current, v1);
      assert.ok(!('warning' in (full.test1 ?? {})) && !('current' in (full.test2 ?? {})) && !('warning' in (full.test2 ?? {})));
      assert.equal(((await get()) as Full).test1?.current, v1);
      await db.uninstallService(MOUNT);
      await db.installService(MOUNT, blob(fixture));
      const minimal = (await update({ test1: v1 }, true)) as Minimal;
      assert.deepEqual(minimal.values, { test1: v1 });
      assert.equal(minimal.warnings, undefined);
      assert.deepEqual(await get(true), { test1: v1 });
    });

    it(`${kind}: replace sets one value and warns that the other is required`, async () => {
      await db.installService(MOUNT, blob(fixture));
      const full = (await replace({ test1: v1 })) as Full;
      assert.equal(full.test1?.current, v1);
      assert.ok(!('warning' in (full.test1 ?? {})));
      assert.equal(full.test2?.warning, 'is required');
      assert.ok(!('current' in (full.test2 ?? {})));
      await db.uninstallService(MOUNT);
      await db.installService(MOUNT, blob(fixture));
      const minimal = (await replace({ test1: v1 }, true)) as Minimal;
      assert.deepEqual(minimal.values, { test1: v1 });
      assert.deepEqual(minimal.warnings, { test2: 'is required' });
      assert.deepEqual(await get(true), { test1: v1 });
    });

    it(`${kind}: update merges, replace overwrites`, async () => {
      await db.installService(MOUNT, blob(fixture));
      await replace({ test2: v2 });
      await update({ test1: v1 });
      const merged = (await get()) as Full;
      assert.deepEqual([merged.test1?.current, merged.test2?.current], [v1, v2]);
      assert.deepEqual(await get(true), { test1: v1, test2: v2 });
      await replace({ test1: v1 }, true);
      const overwritten = (await get()) as Full;
      assert.equal(overwritten.test1?.current, v1);
      assert.ok(!('current' in (overwritten.test2 ?? {})));
      assert.deepEqual(await get(true), { test1: v1 });
    });
  }

  it('downloads the bundle, lists the service and describes it', async () => {
    await db.installService(MOUNT, blob(MINIMAL));
    assert.ok((await db.downloadService(MOUNT)) instanceof Blob);
    const listed = (await db.listServices()).find((s) => s.mount === MOUNT);
    assert.deepEqual(listed && { name: listed.name, version: listed.version, provides: listed.provides, development: listed.development, legacy: listed.legacy }, {
      name: 'minimal-working-manifest', version: '0.0.0', provides: {}, development: false, legacy: false,
    });
    assert.ok((await db.listServices(false)).length > 0);
    const info = await db.getService(MOUNT);
    assert.deepEqual([info.mount, info.name, info.version, info.development, info.legacy], [MOUNT, 'minimal-working-manifest', '0.0.0', false, false]);
    assert.equal(typeof info.manifest, 'object');
    assert.equal(typeof info.options, 'object');
    assert.equal(typeof info.checksum, 'string');
  });

  it('lists and runs scripts (teardown drops what setup created), refuses unknown ones, passes argv back', async () => {
    await db.installService(MOUNT, blob(SETUP_TEARDOWN));
    assert.deepEqual(await db.getServiceScripts(MOUNT), { setup: 'Setup', teardown: 'Teardown' });
    const col = db.collection('foxx_suite_setup_teardown');
    assert.equal(typeof (await col.get()), 'object');
    await db.runServiceScript(MOUNT, 'teardown', {});
    assert.equal((await failure(col.get())).errorNum, 1203);
    await db.uninstallService(MOUNT);
    await db.installService(MOUNT, blob(ECHO));
    const unknown = await failure(db.runServiceScript(MOUNT, 'no', {}));
    assert.deepEqual([unknown.code, unknown.errorNum], [400, 3016]);
    assert.deepEqual(await db.runServiceScript(MOUNT, 'echo', { hello: 'world' }), [{ hello: 'world' }]);
    assert.deepEqual(await db.runServiceScript(MOUNT, 'echo', ['yes', 'please']), [['yes', 'please']]);
  });

  it('turns development mode on and off', async () => {
    await db.installService(MOUNT, blob(MINIMAL));
    assert.equal((await db.getService(MOUNT)).development, false);
    assert.equal((await db.setServiceDevelopmentMode(MOUNT, true)).development, true);
    assert.equal((await db.getService(MOUNT)).development, true);
    await db.uninstallService(MOUNT);
    await db.installService(MOUNT, blob(MINIMAL), { development: true });
    assert.equal((await db.getService(MOUNT)).development, true);
    assert.equal((await db.setServiceDevelopmentMode(MOUNT, false)).development, false);
    assert.equal((await db.getService(MOUNT)).development, false);
  });

  it('runs the tests, delivers the readme (or nothing) and the swagger description', async () => {
    await db.installService(MOUNT, blob(WITH_TESTS));
    const report = (await db.runServiceTests(MOUNT, {})) as Record<string, unknown>;
    for (const key of ['stats', 'tests', 'pending', 'failures', 'passes']) assert.ok(key in report, key);
    await db.uninstallService(MOUNT);
    await db.installService(MOUNT, blob(WITH_README));
    assert.equal(await db.getServiceReadme(MOUNT), 'Please read this.');
    await db.uninstallService(MOUNT);
    await db.installService(MOUNT, blob(MINIMAL));
    assert.equal(await db.getServiceReadme(MOUNT), undefined);
    const doc = await db.getServiceDocumentation(MOUNT);
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.basePath, `/_db/${db.name}${MOUNT}`);
    assert.deepEqual(doc.info, { title: 'minimal-working-manifest', description: '', version: '0.0.0', license: {} });
    assert.ok(doc.paths['/']?.get !== undefined);
  });

  const routes: ReadonlyArray<readonly [string, (mount: string) => Promise<unknown>]> = [
    ['getService', (m) => db.getService(m)],
    ['getServiceConfiguration', (m) => db.getServiceConfiguration(m)],
    ['getServiceDependencies', (m) => db.getServiceDependencies(m)],
    ['getServiceScripts', (m) => db.getServiceScripts(m)],
    ['upgradeService', (m) => db.upgradeService(m, {} as Blob)],
    ['updateServiceConfiguration', (m) => db.updateServiceConfiguration(m, {})],
    ['updateServiceDependencies', (m) => db.updateServiceDependencies(m, {})],
    ['replaceService', (m) => db.replaceService(m, {} as Blob)],
    ['replaceServiceConfiguration', (m) => db.replaceServiceConfiguration(m, {})],
    ['replaceServiceDependencies', (m) => db.replaceServiceDependencies(m, {})],
    ['runServiceScript', (m) => db.runServiceScript(m, 'xxx', {})],
    ['runServiceTests', (m) => db.runServiceTests(m, {})],
    ['uninstallService', (m) => db.uninstallService(m)],
    ['downloadService', (m) => db.downloadService(m)],
    ['setServiceDevelopmentMode(true)', (m) => db.setServiceDevelopmentMode(m, true)],
    ['setServiceDevelopmentMode(false)', (m) => db.setServiceDevelopmentMode(m, false)],
    ['getServiceDocumentation', (m) => db.getServiceDocumentation(m)],
    ['getServiceReadme', (m) => db.getServiceReadme(m)],
  ];
  for (const [name, call] of routes) {
    it(`${name} answers 400 without a mount and for an invalid one`, async () => {
      assert.equal((await failure(call(undefined as unknown as string))).code, 400);
      assert.equal((await failure(call('/dev/null'))).code, 400);
    });
  }
});
