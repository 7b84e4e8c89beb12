import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeaderInfo } from '../../src/agency/index.ts';
import { retry } from '../../src/common/retry.ts';
import { Recorder, uniqueDeployment, useEtcdSuite } from './agency-test-kit.ts';

describe('a connected client while etcd crashes and restarts', () => {
  const suite = useEtcdSuite({ leaseTtlSeconds: 5, requestTimeoutMs: 1000 });
  const member = suite.member;


  it('re-establishes the leader watch and keeps the lease across an etcd restart', async () => {
    const deployment = uniqueDeployment('restart');
    const a = await member(deployment, 'A');
    const b = await member(deployment, 'B');
    const seen = new Recorder<LeaderInfo | null>();
    b.watchLeader(seen.push);
    assert.equal((await a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' })).acquired, true);
    await seen.waitFor((l) => l?.value.id === 'A', { timeoutMs: 5000, what: 'the watcher to report A' });
    const leaseBefore = a.leaseId();

    await suite.etcd().restart();

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
