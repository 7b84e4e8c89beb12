// Logins through a coordinator (attacks: lock root out for everyone behind the coordinator by
// guessing its password; keep using a JWT after it expired).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type ShardedCluster } from '../harness/sharded-cluster.ts';

/** GET `path` from `localAddress` (any 127.x address reaches the loopback), with `authorization`. */
function getFrom(endpoint: string, path: string, authorization: string, localAddress: string): Promise<number> {
  const u = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, localAddress, headers: { authorization }, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('logins through a coordinator', () => {
  let c: ShardedCluster;
  before(async () => {
    c = await startShardedCluster({ dbServers: 1, coordinators: 1, args: ['--auth.max-failed-logins', '5'] });
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('locks out only the guessing client, not everyone behind the coordinator', { timeout: 60_000 }, async () => {
    const coordinator = c.coordinators[0]?.endpoint ?? '';
    for (const path of ['/_api/version', '/_api/database/user', '/_admin/cluster/health']) {
      for (let i = 0; i < 7; i++) assert.equal(await getFrom(coordinator, path, basic('root', `guess-${path}-${i}`), '127.0.0.2'), 401);
    }
    // the attacker's own correct-password attempts are refused for the rest of the window
    assert.equal(await getFrom(coordinator, '/_api/version', basic('root', ''), '127.0.0.2'), 401);
    // everybody else logs in as root through the same coordinator, on forwarded and local paths
    for (const path of ['/_api/version', '/_api/database/user', '/_admin/cluster/health']) {
      assert.equal(await getFrom(coordinator, path, basic('root', ''), '127.0.0.3'), 200, path);
    }
  });

  it('refuses a JWT at once when it expires, on paths the coordinator answers itself', { timeout: 60_000 }, async () => {
    const coordinator = c.coordinators[0]?.endpoint ?? '';
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = `bearer ${c.jwt({ iss: 'arangodb', iat: Math.floor(Date.now() / 1000), exp, preferred_username: 'root' })}`;
    for (const path of ['/_admin/cluster/health', '/_api/database', '/_api/version']) assert.equal(await getFrom(coordinator, path, token, '127.0.0.1'), 200, path);
    await waitFor(() => Date.now() / 1000 > exp + 0.1, { timeoutMs: 10_000, what: 'the token to expire' });
    for (const path of ['/_admin/cluster/health', '/_api/database', '/_api/version']) assert.equal(await getFrom(coordinator, path, token, '127.0.0.1'), 401, path);
  });
});
