import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Etcd3 } from 'etcd3';

/** The agency line a starter prints: etcd's URL and the file holding its root password. */
export async function assertAgencyLockedDown(out: string): Promise<void> {
  const m = /agency \(etcd\) on (\S+), authentication on \(user root, password in (\S+)\)/.exec(out);
  assert.ok(m?.[1] !== undefined && m[2] !== undefined, `an agency line in:\n${out}`);
  const anonymous = new Etcd3({ hosts: [m[1]] });
  const authed = new Etcd3({ hosts: [m[1]], auth: { username: 'root', password: fs.readFileSync(m[2], 'utf8').trim() } });
  try {
    await assert.rejects(anonymous.get('/kitsune/').string(), /user name is empty|permission denied|auth/i, 'an anonymous read of the agency');
    await assert.rejects(async () => anonymous.put('/kitsune/evil').value('x'), /user name is empty|permission denied|auth/i, 'an anonymous write to the agency');
    assert.ok(Object.keys(await authed.getAll().prefix('/kitsune/').strings()).length > 0, 'the members wrote their records with the password');
    assert.equal((fs.statSync(m[2]).mode & 0o077), 0, 'the password file is readable by its owner only');
  } finally {
    anonymous.close();
    authed.close();
  }
}
