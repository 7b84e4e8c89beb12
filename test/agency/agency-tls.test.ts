import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { findEtcdBinary } from '../../src/agency/index.ts';
import { agencyKeys } from '../../src/agency/keys.ts';
import { freePort } from '../harness/etcd.ts';
import { startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
const CAFILE = path.join(TLS, 'ca.pem');

/** etcd wants certificate and key in separate files: split the fixture's combined PEM. */
function splitPem(dir: string): { cert: string; key: string } {
  const pem = fs.readFileSync(path.join(TLS, 'server.pem'), 'utf8');
  const blocks = pem.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----\n?/g) ?? [];
  const cert = path.join(dir, 'etcd.crt');
  const key = path.join(dir, 'etcd.key');
  fs.writeFileSync(cert, blocks.filter((b) => b.includes('CERTIFICATE')).join(''));
  fs.writeFileSync(key, blocks.filter((b) => b.includes('PRIVATE KEY')).join(''), { mode: 0o600 });
  return { cert, key };
}

describe('agency over TLS (--agency.cafile, https:// etcd endpoints)', () => {
  const tmp = tempDir('kitsune-agency-tls-');
  let etcd: ChildProcess | undefined;
  let endpoint = '';
  let server: ServerHandle | undefined;
  const deployment = `etls${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    const { cert, key } = splitPem(tmp.dir);
    const clientPort = await freePort();
    const peerPort = await freePort();
    endpoint = `https://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    etcd = spawn(await findEtcdBinary({ searchPath: process.env['PATH'] }), [
      '--name', 'tls-test', '--data-dir', path.join(tmp.dir, 'etcd'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `tls-test=${peerUrl}`,
      '--cert-file', cert, '--key-file', key, '--heartbeat-interval', '100', '--election-timeout', '500', '--log-level', 'error',
    ], { stdio: 'ignore' });
    const probe = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: fs.readFileSync(CAFILE) } });
    await waitFor(() => probe.get('/probe').string().then(() => true, () => false), { timeoutMs: 20_000, what: 'etcd over TLS', intervalMs: 200 });
    probe.close();
  });
  after(async () => {
    await server?.kill();
    etcd?.kill('SIGKILL');
    tmp.cleanup();
  });

  it('a member verifies etcd\'s certificate against --agency.cafile and leads through it', async () => {
    const port = await freePort();
    server = await startServer({
      dataDir: path.join(tmp.dir, 'member'),
      args: ['--port', String(port), '--mode', 'activefailover', '--agency', endpoint, '--agency.cafile', CAFILE, '--deployment', deployment, '--advertise', `http://127.0.0.1:${port}`, '--agency.lease-ttl', '1'],
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/_admin/server/availability`).catch(() => null))?.status === 200, { timeoutMs: 20_000, what: 'the member to lead', intervalMs: 100 });
    const check = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: fs.readFileSync(CAFILE) } });
    try {
      assert.match((await check.get(agencyKeys(deployment).leader).string()) ?? '', new RegExp(`:${port}`));
    } finally {
      check.close();
    }
    // with only the system's CAs, etcd's certificate is not trusted
    const untrusting = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: Buffer.from(tls.rootCertificates.join('\n')) }, defaultCallOptions: () => ({ deadline: Date.now() + 3000 }) });
    try {
      await assert.rejects(untrusting.get('/x').string());
    } finally {
      untrusting.close();
    }
  });
});

describe('agency with client certificates (--agency.certfile / --agency.keyfile, etcd --client-cert-auth)', () => {
  const tmp = tempDir('kitsune-agency-mtls-');
  let etcd: ChildProcess | undefined;
  let endpoint = '';
  let pair = { cert: '', key: '' };
  let server: ServerHandle | undefined;
  const deployment = `emtls${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    pair = splitPem(tmp.dir);
    const clientPort = await freePort();
    const peerPort = await freePort();
    endpoint = `https://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    etcd = spawn(await findEtcdBinary({ searchPath: process.env['PATH'] }), [
      '--name', 'mtls-test', '--data-dir', path.join(tmp.dir, 'etcd'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `mtls-test=${peerUrl}`,
      '--cert-file', pair.cert, '--key-file', pair.key, '--client-cert-auth', '--trusted-ca-file', CAFILE,
      '--heartbeat-interval', '100', '--election-timeout', '500', '--log-level', 'error',
    ], { stdio: 'ignore' });
    const probe = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: fs.readFileSync(CAFILE), certChain: fs.readFileSync(pair.cert), privateKey: fs.readFileSync(pair.key) } });
    await waitFor(() => probe.get('/probe').string().then(() => true, () => false), { timeoutMs: 20_000, what: 'etcd with client-cert auth', intervalMs: 200 });
    probe.close();
  });
  after(async () => {
    await server?.kill();
    etcd?.kill('SIGKILL');
    tmp.cleanup();
  });

  it('a client without a certificate is refused; a member with one leads', async () => {
    const anonymous = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: fs.readFileSync(CAFILE) }, defaultCallOptions: () => ({ deadline: Date.now() + 3000 }) });
    try {
      await assert.rejects(async () => { await anonymous.put(agencyKeys(deployment).leader).value('http://attacker:1'); });
    } finally {
      anonymous.close();
    }
    const port = await freePort();
    server = await startServer({
      dataDir: path.join(tmp.dir, 'member'),
      args: ['--port', String(port), '--mode', 'activefailover', '--agency', endpoint, '--agency.cafile', CAFILE, '--agency.certfile', pair.cert, '--agency.keyfile', pair.key, '--deployment', deployment, '--advertise', `http://127.0.0.1:${port}`, '--agency.lease-ttl', '1'],
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/_admin/server/availability`).catch(() => null))?.status === 200, { timeoutMs: 20_000, what: 'the member to lead', intervalMs: 100 });
    const check = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: fs.readFileSync(CAFILE), certChain: fs.readFileSync(pair.cert), privateKey: fs.readFileSync(pair.key) } });
    try {
      assert.match((await check.get(agencyKeys(deployment).leader).string()) ?? '', new RegExp(`:${port}`));
    } finally {
      check.close();
    }
  });
});
