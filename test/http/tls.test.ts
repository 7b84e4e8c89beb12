import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';

const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
const KEYFILE = path.join(TLS, 'server.pem');
const CA = fs.readFileSync(path.join(TLS, 'ca.pem'), 'utf8');

/** A CA of its own that never signed the server's certificate (openssl), or undefined without openssl. */
function otherCa(dir: string): string | undefined {
  try {
    const key = path.join(dir, 'other-ca.key');
    const crt = path.join(dir, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=not the kitsune test CA'], { stdio: 'ignore' });
    return fs.readFileSync(crt, 'utf8');
  } catch {
    return undefined;
  }
}

function client(url: string, ca?: string): Database {
  return new Database({ url, auth: { username: 'root', password: '' }, ...(ca === undefined ? {} : { agentOptions: { connect: { ca } } }) });
}

describe('TLS for clients (--ssl.keyfile)', () => {
  const tmp = tempDir();
  let server: ServerHandle;

  before(async () => {
    server = await startServer({ dataDir: tmp.dir, args: ['--ssl.keyfile', KEYFILE] });
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('serves arangojs over HTTPS when the client trusts the CA', async () => {
    assert.match(server.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    const db = client(server.endpoint, CA);
    assert.equal((await db.version()).server, 'arango');
    const c = await db.createCollection('overTls');
    const meta = await c.save({ _key: 'k1', secret: 'only over TLS' });
    assert.equal(meta._key, 'k1');
    assert.deepEqual(await (await db.query('FOR d IN overTls RETURN d.secret')).all(), ['only over TLS']);
  });

  it('is refused by a client that does not trust the certificate (no CA, another CA)', async () => {
    await assert.rejects(client(server.endpoint).version(), (err: Error) => /certificate|self.signed|unable to verify/i.test(`${err.message} ${String((err as { cause?: unknown }).cause)}`));
    const other = otherCa(tmp.dir);
    if (other !== undefined) {
      await assert.rejects(client(server.endpoint, other).version(), (err: Error) => /certificate|unable to verify|signature/i.test(`${err.message} ${String((err as { cause?: unknown }).cause)}`));
    }
  });

  it('does not answer plain HTTP on its TLS port', async () => {
    const plain = server.endpoint.replace(/^https:/, 'http:');
    const answer = await fetch(`${plain}/_api/version`).then(
      (r) => r.status,
      () => 'no answer',
    );
    assert.notEqual(answer, 200);
  });
});
