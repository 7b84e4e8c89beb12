import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { Agent, fetch as tlsFetch } from 'undici';
import { freePort, startEtcd, type EtcdProcess } from '../harness/etcd.ts';
import { startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
const KEYFILE = path.join(TLS, 'server.pem');
const CAFILE = path.join(TLS, 'ca.pem');
const CA = fs.readFileSync(CAFILE, 'utf8');
const trusting = new Agent({ connect: { ca: CA } });

interface Member {
  readonly port: number;
  readonly https: string;
  readonly dataDir: string;
  server: ServerHandle | null;
}

async function status(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const r = await tlsFetch(url, { dispatcher: trusting, headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers as unknown as Headers, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('active failover over TLS (ssl:// advertised endpoints, --ssl.cafile between members)', () => {
  let etcd: EtcdProcess;
  const secret = tempDir('kitsune-secret-');
  const members: Member[] = [];
  const deployment = `tls${Math.random().toString(36).slice(2, 8)}`;

  const start = async (m: Member): Promise<void> => {
    m.server = await startServer({
      dataDir: m.dataDir,
      args: [
        '--port', String(m.port),
        '--mode', 'activefailover',
        '--agency', etcd.endpoint,
        '--deployment', deployment,
        '--advertise', `ssl://127.0.0.1:${m.port}`,
        '--jwt-secret-file', path.join(secret.dir, 'jwt'),
        '--agency.lease-ttl', '1',
        '--ssl.keyfile', KEYFILE,
        '--ssl.cafile', CAFILE,
      ],
      timeoutMs: 30_000,
    });
  };
  const leader = async (not?: Member): Promise<Member> => {
    let found: Member | undefined;
    await waitFor(async () => {
      for (const m of members) {
        if (m === not || !m.server) continue;
        const r = await status(`${m.https}/_admin/server/availability`).catch(() => null);
        if (r?.status === 200) found = m;
      }
      return found !== undefined;
    }, { timeoutMs: 30_000, what: 'a writable leader', intervalMs: 100 });
    return found as Member;
  };
  const logs = (): string => members.map((m, i) => `--- member ${i} ---\n${m.server?.logs() ?? ''}`).join('\n');

  before(async () => {
    etcd = await startEtcd();
    fs.writeFileSync(path.join(secret.dir, 'jwt'), `tls-test-secret-${deployment}-0123456789`);
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      members.push({ port, https: `https://127.0.0.1:${port}`, dataDir: tempDir('kitsune-tls-af-').dir, server: null });
    }
    for (const m of members) await start(m);
  });
  after(async () => {
    await Promise.all(members.map((m) => m.server?.kill()));
    await etcd?.stop();
    for (const m of members) fs.rmSync(m.dataDir, { recursive: true, force: true });
    secret.cleanup();
  });

  it('replicates over HTTPS, redirects to an https:// leader, and fails over', async () => {
    const first = await leader();
    const follower = members.find((m) => m !== first) as Member;
    const db = new Database({ url: members.map((m) => m.https), auth: { username: 'root', password: '' }, agentOptions: { connect: { ca: CA } } });
    const c = await db.createCollection('tlsDocs');
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await c.save({ _key: `k${i}` });
      acked.push(`k${i}`);
    }

    // a follower answers 503 with the leader's https:// endpoint; the endpoint list uses ssl://
    const redirect = await status(`${follower.https}/_api/collection`);
    assert.equal(redirect.status, 503, logs());
    assert.equal(redirect.headers.get('x-arango-endpoint'), first.https);
    const endpoints = await status(`${follower.https}/_api/cluster/endpoints`, { authorization: `Basic ${Buffer.from('root:').toString('base64')}` });
    assert.equal((endpoints.body as { endpoints: Array<{ endpoint: string }> }).endpoints[0]?.endpoint, `ssl://127.0.0.1:${first.port}`);

    // the follower pulled everything from the leader over TLS
    await waitFor(async () => {
      const r = await status(`${follower.https}/_api/document/tlsDocs/k19`, { authorization: `Basic ${Buffer.from('root:').toString('base64')}`, 'x-arango-allow-dirty-read': 'true' }).catch(() => null);
      return r?.status === 200;
    }, { timeoutMs: 30_000, what: 'the follower to apply the leader\'s writes over TLS', intervalMs: 100 });

    // the leader dies: the follower takes over and arangojs (both https:// endpoints) goes on
    await first.server?.kill();
    first.server = null;
    const second = await leader(first);
    assert.equal(second, follower);
    const keys = new Set(await (await db.query('FOR d IN tlsDocs RETURN d._key')).all());
    assert.deepEqual(acked.filter((k) => !keys.has(k)), [], 'no acknowledged write lost in the failover');
    await c.save({ _key: 'afterFailover' });

    // the old leader comes back as a follower and catches up from the new leader over TLS
    await start(first);
    await waitFor(async () => {
      const r = await status(`${first.https}/_api/document/tlsDocs/afterFailover`, { authorization: `Basic ${Buffer.from('root:').toString('base64')}`, 'x-arango-allow-dirty-read': 'true' }).catch(() => null);
      return r?.status === 200;
    }, { timeoutMs: 30_000, what: 'the old leader to follow the new one over TLS', intervalMs: 100 });
  });
});
