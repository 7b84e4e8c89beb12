import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeaderInfo, LeaseLostEvent, LeaseRecoveredEvent } from '../../src/agency/index.ts';
import { sleep } from '../../src/common/retry.ts';
import { Recorder, uniqueDeployment, useEtcdSuite } from './agency-test-kit.ts';

describe('a connected client while etcd is frozen (SIGSTOP) and thawed (SIGCONT)', () => {
  const suite = useEtcdSuite({ leaseTtlSeconds: 2, requestTimeoutMs: 1000 });
  const member = suite.member;


  for (const pauseLeaseTtls of [0.5, 2]) {
    it(`stops the leader before its lease could expire and recovers (paused for ${pauseLeaseTtls} × TTL)`, async (t) => {
      const deployment = uniqueDeployment('pause');
      const a = await member(deployment, 'A');
      const lost = new Recorder<LeaseLostEvent>();
      const recovered = new Recorder<LeaseRecoveredEvent>();
      a.onLeaseLost(lost.push);
      a.onLeaseRecovered(recovered.push);
      const seen = new Recorder<LeaderInfo | null>();
      a.watchLeader(seen.push);
      assert.equal((await a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' })).acquired, true);
      await seen.waitFor((l) => l?.value.id === 'A', { timeoutMs: 5000, what: 'the watcher to report A' });

      const pausedAt = performance.now();
      suite.etcd().pause();
      // No keep-alive sent after the pause can be confirmed, so the local bound is at most
      // pausedAt + TTL − margin: strictly before etcd could let the lease expire.
      assert.ok(a.leaseValidUntil() <= pausedAt + 2000 - 500);
      const lostEvent = await lost.waitFor(() => true, { timeoutMs: 5000, what: 'leaseLost while etcd is frozen' });
      assert.equal(lostEvent.reason, 'unconfirmed');
      assert.equal(a.canActAsLeader(), false);
      const pauseMs = pauseLeaseTtls * 2000;
      // Keeping etcd frozen for a set time is the scenario itself, not a wait for a condition.
      await sleep(Math.max(0, pauseMs - (performance.now() - pausedAt)));
      suite.etcd().resume();

      const back = await recovered.waitFor(() => true, { timeoutMs: 10_000, what: 'leaseRecovered after thawing' });
      t.diagnostic(`recovered with ${back.newLease ? 'a new' : 'the same'} lease`);
      assert.equal(a.isLeaseCertainlyValid(), true);
      const leader = await a.getLeader();
      if (back.newLease) {
        // etcd expired the old lease: leadership went with it.
        assert.equal(a.leadershipTerm(), null);
        assert.notEqual(leader?.leaseId, a.leaseId());
      } else {
        assert.equal(leader?.leaseId, a.leaseId());
        assert.equal(a.canActAsLeader(), true);
        assert.equal(await a.resignLeadership(), true);
      }

      // The leader watch survived the freeze: a newcomer's leadership is reported.
      const b = await member(deployment, 'B');
      await seen.waitFor((l) => l === null, { timeoutMs: 5000, what: 'the watcher to report no leader' });
      assert.equal((await b.tryAcquireLeadership({ id: 'B', endpoint: 'tcp://b:1' })).acquired, true);
      await seen.waitFor((l) => l?.value.id === 'B', { timeoutMs: 5000, what: 'the watcher to report B' });
    });
  }
});
