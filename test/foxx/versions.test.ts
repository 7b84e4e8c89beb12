// kitsune's Foxx versions and rollback: `_appbundles` keeps the last --foxx.keep-versions bundles
// of a mount; GET /_api/foxx/versions lists them, POST /_api/foxx/rollback reinstalls one.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

function serviceVersion(version: string): Blob {
  const manifest = { name: 'versioned', version, main: 'index.js', scripts: { setup: 'setup.js' }, configuration: { greeting: { type: 'string', default: 'hello' } } };
  const main = `'use strict';
const router = require('@arangodb/foxx/router')();
module.context.use(router);
router.get('/v', (req, res) => res.json({ version: ${JSON.stringify(version)}, greeting: module.context.configuration.greeting }));`;
  const setup = `require('@arangodb').db._collection('setups').save({ version: ${JSON.stringify(version)} });`;
  return new Blob([craftZip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
    { name: 'index.js', data: Buffer.from(main) },
    { name: 'setup.js', data: Buffer.from(setup) },
  ])], { type: 'application/zip' });
}

interface Listed {
  signature: string;
  sha256: string;
  name: string;
  version: string;
  installedAt: string;
  current: boolean;
}

describe('Foxx versions and rollback', () => {
  const tmp = tempDir('kitsune-foxx-versions-');
  let server: ServerHandle;
  let db: Database;
  const auth = { authorization: `Basic ${Buffer.from('root:').toString('base64')}` };
  const versions = async (mount: string): Promise<Listed[]> => {
    const res = await rawRequest(server.endpoint, 'GET', `/_api/foxx/versions?mount=${encodeURIComponent(mount)}`, undefined, auth);
    assert.equal(res.status, 200, res.text);
    return res.json as Listed[];
  };
  const rollbackTo = (mount: string, to: string, flags = '') => rawRequest(server.endpoint, 'POST', `/_api/foxx/rollback?mount=${encodeURIComponent(mount)}&to=${encodeURIComponent(to)}${flags}`, undefined, auth);
  const served = async (mount: string) => (await rawRequest(server.endpoint, 'GET', `${mount}/v`)).json;

  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data'), args: ['--foxx.keep-versions', '3'] });
    db = server.db();
    await db.createCollection('setups');
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('installs v1, v2, v3, lists them newest first and rolls back to v1 keeping the configuration', async () => {
    await db.installService('/shop', serviceVersion('1.0.0'));
    await db.updateServiceConfiguration('/shop', { greeting: 'servus' });
    await db.upgradeService('/shop', serviceVersion('2.0.0'));
    await db.upgradeService('/shop', serviceVersion('3.0.0'));
    assert.deepEqual(await served('/shop'), { version: '3.0.0', greeting: 'servus' });
    const listed = await versions('/shop');
    assert.deepEqual(listed.map((v) => [v.version, v.current]), [['3.0.0', true], ['2.0.0', false], ['1.0.0', false]]);
    assert.ok(listed.every((v) => v.name === 'versioned' && /^[0-9a-f]{64}$/.test(v.sha256) && !Number.isNaN(Date.parse(v.installedAt))));
    const v1 = listed[2] as Listed;
    assert.equal((await db.getService('/shop')).checksum, (listed[0] as Listed).signature, 'the signature is the checksum _apps holds');

    const setupsBefore = (await db.collection('setups').count()).count;
    const res = await rollbackTo('/shop', v1.signature);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.json as { version: string }).version, '1.0.0');
    assert.deepEqual(await served('/shop'), { version: '1.0.0', greeting: 'servus' }, 'the configuration is kept as for an upgrade');
    assert.equal((await db.collection('setups').count()).count, setupsBefore + 1, 'setup ran for the rolled-back version');
    assert.deepEqual((await versions('/shop')).map((v) => [v.version, v.current]), [['1.0.0', true], ['3.0.0', false], ['2.0.0', false]]);
    assert.equal((await db.getService('/shop')).version, '1.0.0');

    // by sha256 too, and with setup skipped
    const v3 = (await versions('/shop'))[1] as Listed;
    assert.equal((await rollbackTo('/shop', v3.sha256, '&setup=false')).status, 200);
    assert.deepEqual(await served('/shop'), { version: '3.0.0', greeting: 'servus' });
    assert.equal((await db.collection('setups').count()).count, setupsBefore + 1, 'setup=false skips setup');
  });

  it('keeps only the last --foxx.keep-versions bundles of a mount', async () => {
    await db.installService('/many', serviceVersion('1.0.0'));
    for (const v of ['2.0.0', '3.0.0', '4.0.0', '5.0.0']) await db.replaceService('/many', serviceVersion(v));
    const listed = await versions('/many');
    assert.deepEqual(listed.map((v) => v.version), ['5.0.0', '4.0.0', '3.0.0']);
    const gone = await rollbackTo('/many', 'no-such-signature');
    assert.equal(gone.status, 404);
    assert.equal((gone.json as { errorNum: number }).errorNum, 3014);
  });

  it('refuses unknown mounts and a missing target', async () => {
    assert.equal((await rawRequest(server.endpoint, 'GET', '/_api/foxx/versions?mount=/nope', undefined, auth)).status, 400);
    assert.equal((await rollbackTo('/shop', '')).status, 400);
    await db.uninstallService('/many');
    assert.equal((await rawRequest(server.endpoint, 'GET', '/_api/foxx/versions?mount=/many', undefined, auth)).status, 400);
  });
});
