import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { lockDownEtcd } from '../../src/agency/index.ts';
import { agencyKeys } from '../../src/agency/keys.ts';
import { freePort, startEtcd, type EtcdProcess } from '../harness/etcd.ts';
import { startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

describe('authenticated agency (attack: rewrite the leader key of an open etcd)', () => {
  let etcd: EtcdProcess;
  const tmp = tempDir('kitsune-agency-auth-');
  const password = 'agency-secret-0123456789';
  const passwordFile = path.join(tmp.dir, 'agency-password');
  const deployment = `auth${Math.random().toString(36).slice(2, 8)}`;
  const servers: ServerHandle[] = [];
  const ports: number[] = [];

  const start = async (i: number, extra: string[] = ['--agency.user', 'root', '--agency.password-file', passwordFile]): Promise<ServerHandle> =>
    startServer({
      dataDir: path.join(tmp.dir, `m${i}`),
      args: [
        '--port', String(ports[i]), '--mode', 'activefailover', '--agency', etcd.endpoint, '--deployment', deployment,
        '--advertise', `http://127.0.0.1:${ports[i]}`, '--jwt-secret-file', path.join(tmp.dir, 'jwt'), '--agency.lease-ttl', '1', ...extra,
      ],
      timeoutMs: 30_000,
    });

  before(async () => {
    etcd = await startEtcd();
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(tmp.dir, 'jwt'), `agency-auth-test-${deployment}-0123456789`);
    await lockDownEtcd([etcd.endpoint], 'root', password);
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    servers.push(await start(0), await start(1));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await etcd?.stop();
    tmp.cleanup();
  });

  it('refuses reading and writing the leader key without credentials, while members work with them', async () => {
    const keys = agencyKeys(deployment);
    const anonymous = new Etcd3({ hosts: [etcd.endpoint] });
    const wrong = new Etcd3({ hosts: [etcd.endpoint], auth: { username: 'root', password: 'guessed' } });
    const authed = new Etcd3({ hosts: [etcd.endpoint], auth: { username: 'root', password } });
    try {
      // a leader was elected through the locked-down etcd, and it replicates to the follower
      await waitFor(async () => (await authed.get(keys.leader).string()) !== null, { timeoutMs: 20_000, what: 'a leader key' });
      const before = await authed.get(keys.leader).string();
      const leaderPort = ports.find((p) => before?.includes(`:${p}`));
      assert.ok(leaderPort, `leader value ${before}`);
      const leader = servers[ports.indexOf(leaderPort)] as ServerHandle;
      await leader.db().createCollection('guarded');
      await leader.db().collection('guarded').save({ _key: 'k' });

      // the attack: take over the leader key, or read the deployment, without (valid) credentials
      await assert.rejects(async () => anonymous.put(keys.leader).value(JSON.stringify({ id: 'evil', endpoint: 'http://evil:1' })), /user name is empty|permission denied|authentication|auth/i);
      await assert.rejects(anonymous.get(keys.leader).string(), /user name is empty|permission denied|authentication|auth/i);
      await assert.rejects(async () => wrong.put(keys.leader).value('{"id":"evil"}'), /authentication failed|invalid user ID or password|auth/i);
      assert.equal(await authed.get(keys.leader).string(), before, 'the leader key is untouched');

      // a member without credentials cannot join (it never becomes ready as a member of the deployment)
      const intruder: ServerHandle | Error = await start(2, []).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
      if (!(intruder instanceof Error)) {
        servers.push(intruder);
        await waitFor(() => /agency|etcd/i.test(intruder.logs()) && /user name is empty|permission denied|auth/i.test(intruder.logs()), { timeoutMs: 15_000, what: 'the intruder to be refused by etcd' });
        const members = await authed.getAll().prefix(keys.membersPrefix).strings();
        assert.ok(!Object.values(members).some((v) => v.includes(`:${ports[2]}`)), 'no member record of the intruder');
      }

      // no token that could be replayed is kept in etcd: nothing under the deployment is a JWT
      const all = await authed.getAll().prefix(`/kitsune/${deployment}/`).strings();
      assert.ok(Object.keys(all).length > 0);
      for (const [k, v] of Object.entries(all)) assert.doesNotMatch(v, JWT, `${k} holds a token`);
      // the acknowledged write survived the attack, and the leader still takes writes
      assert.equal((await leader.db().collection('guarded').document('k'))._key, 'k');
      await leader.db().collection('guarded').save({ _key: 'after' });
    } finally {
      anonymous.close();
      wrong.close();
      authed.close();
    }
  });
});
