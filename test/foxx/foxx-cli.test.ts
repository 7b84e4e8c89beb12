import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { fixture, fixtureZip } from './foxx-helpers.ts';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FOXX = path.join(ROOT, 'node_modules', 'foxx-cli', 'bin', 'foxx');

describe('Foxx services through foxx-cli', () => {
  const tmp = tempDir('kitsune-foxx-cli-');
  let server: ServerHandle;
  const foxx = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(process.execPath, [FOXX, ...args, '--server', server.endpoint, '--username', 'root'], { env: { ...process.env, HOME: tmp.dir }, cwd: tmp.dir });
    return stdout;
  };

  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('installs a directory, lists and shows it, and serves its routes', async () => {
    assert.match(await foxx('install', '/cli', fixture('hello')), /Installed service at "\/cli"/);
    assert.match(await foxx('list'), /\/cli\s+hello@1\.0\.0/);
    assert.match(await foxx('show', '/cli'), /hello/);
    assert.deepEqual((await rawRequest(server.endpoint, 'GET', '/cli/hello')).json, { hello: 'world' });
  });

  it('installs a zip file with configuration and dependencies, and changes them', async () => {
    const zipFile = path.join(tmp.dir, 'configurable.zip');
    fs.writeFileSync(zipFile, (await fixtureZip('configurable')).bytes);
    await foxx('install', '/cfg', zipFile, '--cfg', 'maxItems=3', '--dep', 'greeter=/cli');
    assert.match(await foxx('config', '/cfg', '--minimal'), /maxItems: 3/);
    await foxx('config', '/cfg', 'greeting=Yo');
    assert.equal(((await rawRequest(server.endpoint, 'GET', '/cfg/config')).json as { greeting: string }).greeting, 'Yo');
    assert.match(await foxx('deps', '/cfg'), /\/cli/);
  });

  it('runs scripts with arguments and service tests', async () => {
    await foxx('install', '/scr', fixture('scripts'));
    assert.deepEqual(JSON.parse(await foxx('run', '/scr', 'echo', '{"n":1}')), [{ n: 1 }]);
    assert.match(await foxx('scripts', '/scr'), /send-mail/);
    assert.match(await foxx('test', '/cli'), /1 passing/);
    assert.match(await foxx('test', '/cli', '--reporter', 'tap'), /ok 1 hello adds numbers/);
  });

  it('toggles development mode, upgrades, replaces, downloads and uninstalls', async () => {
    await foxx('set-dev', '/cli');
    assert.equal((await server.db().getService('/cli')).development, true);
    await foxx('set-prod', '/cli');
    assert.equal((await server.db().getService('/cli')).development, false);
    assert.match(await foxx('upgrade', '/cli', fixture('hello')), /Upgraded/);
    assert.match(await foxx('replace', '/cli', fixture('hello')), /Replaced/);
    const out = path.join(tmp.dir, 'cli.zip');
    await foxx('download', '/cli', '-o', out);
    assert.ok(fs.readFileSync(out).subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')));
    await foxx('uninstall', '/cli');
    assert.equal((await rawRequest(server.endpoint, 'GET', '/cli/hello')).status, 404);
    assert.doesNotMatch(await foxx('list'), /\/cli\b/);
  });
});
