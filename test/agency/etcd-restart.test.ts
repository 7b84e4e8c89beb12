import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { AgencyClient, type LeaderInfo } from '../../src/agency/index.ts';
import { retry } from '../../src/common/retry.ts';
import { startEtcd, type EtcdProcess } from '../harness/etcd.ts';
import { captureLogger, Recorder, uniqueDeployment } from './agency-test-kit.ts';

describe('a connected client while etcd crashes and restarts', () => {
  let etcd: EtcdProcess;
  const clients: AgencyClient[] = [];

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  async function member(deployment: string, memberId: string): Promise<AgencyClient> {
    const client = new AgencyClient({
      endpoints: [etcd.endpoint],
      deployment,
      memberId,
      leaseTtlSeconds: 5,
      requestTimeoutMs: 1000,
      log: captureLogger().log,
    });
    clients.push(client);
    await client.connect();
    return client;
  }

  it('re-establishes the leader watch and keeps the lease across an etcd restart', async () => {
    const deployment = uniqueDeployment('restart');
    const a = await member(deployment, 'A');
    const b = await member(deployment, 'B');
    const seen = new Recorder<LeaderInfo | null>();
    b.watchLeader(seen.push);
    assert.equal((await a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' })).acquired, true);
    await seen.waitFor((l) => l?.value.id === 'A', { timeoutMs: 5000, what: 'the watcher to report A' });
    const leaseBefore = a.leaseId();

    await etcd.restart();

    // etcd persists leases and refreshes their TTL on restart, so A keeps its lease and leadership.
    const quick = { maxAttempts: Infinity, initialDelayMs: 50, maxDelayMs: 250, deadlineMs: 10_000 };
    const leader = await retry(() => b.getLeader(), quick);
    assert.equal(leader?.value.id, 'A');
    assert.equal(a.leaseId(), leaseBefore);
    assert.equal(await retry(() => a.resignLeadership(), quick), true);
    // The watch stream died with the old process; only a re-established watch reports these.
    await seen.waitFor((l) => l === null, { timeoutMs: 10_000, what: 'the re-established watcher to report no leader' });
    assert.equal((await b.tryAcquireLeadership({ id: 'B', endpoint: 'tcp://b:1' })).acquired, true);
    await seen.waitFor((l) => l?.value.id === 'B', { timeoutMs: 10_000, what: 'the re-established watcher to report B' });
  });
});
