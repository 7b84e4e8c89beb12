import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LeaderInfo } from '../../src/agency/index.ts';
import { Recorder, uniqueDeployment, waitFor, useEtcdSuite } from './agency-test-kit.ts';
import { startMemberProcess, type MemberProcess } from './member-process.ts';

describe('leadership on a real etcd', () => {
  const suite = useEtcdSuite({ leaseTtlSeconds: 2 });
  const member = suite.member;
  const processes: MemberProcess[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
  });


  function leaderOf(id: string) {
    return (l: LeaderInfo | null): boolean => l !== null && l.value.id === id;
  }

  it('lets exactly one of two racing members win, and both see the same leader and term', async () => {
    for (let round = 0; round < 5; round++) {
      const deployment = uniqueDeployment('race');
      const [a, b] = await Promise.all([member(deployment, 'A'), member(deployment, 'B')]);
      const [ra, rb] = await Promise.all([
        a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' }),
        b.tryAcquireLeadership({ id: 'B', endpoint: 'tcp://b:1' }),
      ]);
      assert.equal(Number(ra.acquired) + Number(rb.acquired), 1, 'exactly one winner');
      const [winner, loser] = ra.acquired ? [a, b] : [b, a];
      assert.deepEqual(ra.leader, rb.leader, 'both attempts report the same leader');
      const [la, lb] = await Promise.all([a.getLeader(), b.getLeader()]);
      assert.deepEqual(la, lb);
      assert.deepEqual(la, ra.leader);
      assert.equal(la?.value.id, winner.memberId);
      assert.equal(winner.leadershipTerm(), la?.term);
      assert.equal(winner.canActAsLeader(), true);
      assert.equal(loser.leadershipTerm(), null);
      assert.equal(loser.canActAsLeader(), false);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('frees the key at once when the leader closes; the watcher fires and the next term is higher', async () => {
    const deployment = uniqueDeployment('close');
    // A long TTL proves that the key goes because the lease is revoked, not because it expired.
    const a = await member(deployment, 'A', { leaseTtlSeconds: 30 });
    const b = await member(deployment, 'B', { leaseTtlSeconds: 30 });
    const first = await a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' });
    assert.equal(first.acquired, true);
    const seen = new Recorder<LeaderInfo | null>();
    const watch = b.watchLeader(seen.push);
    await seen.waitFor(leaderOf('A'), { timeoutMs: 5000, what: 'the watcher to report A' });

    const closedAt = performance.now();
    await a.close();
    await seen.waitFor((l) => l === null, { timeoutMs: 5000, what: 'the watcher to report no leader' });
    assert.ok(performance.now() - closedAt < 5000, 'revocation is immediate, not a 30 s expiry');

    const second = await b.tryAcquireLeadership({ id: 'B', endpoint: 'tcp://b:1' });
    assert.equal(second.acquired, true);
    assert.ok(second.leader !== null && first.leader !== null && second.leader.term > first.leader.term, 'term increases');
    const reported = await seen.waitFor(leaderOf('B'), { timeoutMs: 5000, what: 'the watcher to report B' });
    assert.equal(reported?.term, second.leader?.term);
    watch.cancel();
  });

  it('is idempotent for the holder and lets only the holder resign', async () => {
    const deployment = uniqueDeployment('resign');
    const a = await member(deployment, 'A');
    const b = await member(deployment, 'B');
    const first = await a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' });
    const again = await a.tryAcquireLeadership({ id: 'A', endpoint: 'tcp://a:1' });
    assert.equal(again.acquired, true);
    assert.equal(again.leader?.term, first.leader?.term);

    assert.equal(await b.resignLeadership(), false);
    assert.equal((await b.getLeader())?.value.id, 'A');
    assert.equal(await a.resignLeadership(), true);
    assert.equal(await a.getLeader(), null);
    assert.equal(a.leadershipTerm(), null);
    await assert.rejects(a.tryAcquireLeadership({ id: 'B', endpoint: 'x' }), { errorNum: 10 });
  });

  it('drops the key when the leader process dies and its keep-alives stop', async () => {
    const deployment = uniqueDeployment('crash');
    const leader = startMemberProcess({ endpoint: suite.etcd().endpoint, deployment, memberId: 'A', leaseTtlSeconds: 2 });
    processes.push(leader);
    const ready = await leader.events.waitFor((e) => e.event === 'ready', { timeoutMs: 20_000, what: 'the member process' });
    assert.equal(ready.acquired, true, leader.stderr());

    const b = await member(deployment, 'B');
    const seen = new Recorder<LeaderInfo | null>();
    b.watchLeader(seen.push);
    await seen.waitFor(leaderOf('A'), { timeoutMs: 5000, what: 'the watcher to report A' });
    await leader.kill();
    // TTL 2 s, plus etcd's 0.5 s expiry sweep and scheduling slack.
    await seen.waitFor((l) => l === null, { timeoutMs: 6000, what: 'the dead leader key to expire' });
    const next = await b.tryAcquireLeadership({ id: 'B', endpoint: 'tcp://b:1' });
    assert.equal(next.acquired, true);
    assert.ok(next.leader !== null && typeof ready.term === 'number' && next.leader.term > ready.term);
  });

  it('fences a frozen leader: after thawing it knows its lease expired and does not act as leader', async () => {
    const deployment = uniqueDeployment('freeze');
    const leader = startMemberProcess({ endpoint: suite.etcd().endpoint, deployment, memberId: 'A', leaseTtlSeconds: 2 });
    processes.push(leader);
    const ready = await leader.events.waitFor((e) => e.event === 'ready', { timeoutMs: 20_000, what: 'the member process' });
    assert.equal(ready.acquired, true, leader.stderr());
    assert.equal(ready.canActAsLeader, true);

    const b = await member(deployment, 'B');
    const seen = new Recorder<LeaderInfo | null>();
    b.watchLeader(seen.push);
    leader.child.kill('SIGSTOP');
    await seen.waitFor((l) => l === null, { timeoutMs: 6000, what: 'the frozen leader key to expire' });
    assert.equal((await b.listMembers()).some((m) => m.id === 'A'), false, "A's member record expired too");
    const next = await b.tryAcquireLeadership({ id: 'B', endpoint: 'tcp://b:1' });
    assert.equal(next.acquired, true);

    leader.child.kill('SIGCONT');
    const lost = await leader.events.waitFor((e) => e.event === 'leaseLost', { timeoutMs: 5000, what: 'leaseLost after thawing' });
    assert.equal(lost.canActAsLeader, false);
    const recovered = await leader.events.waitFor((e) => e.event === 'leaseRecovered', {
      timeoutMs: 5000,
      what: 'a fresh lease after thawing',
    });
    assert.equal(recovered.newLease, true, 'the old lease expired, so the recovered one is new');
    assert.equal(recovered.leadershipTerm, null, 'leadership died with the old lease');
    assert.equal(recovered.canActAsLeader, false);
    assert.equal((await b.getLeader())?.value.id, 'B');
    // The member record died with the old lease and is published again under the new one.
    await waitFor(async () => (await b.listMembers()).some((m) => m.id === 'A'), {
      timeoutMs: 5000,
      what: "A's member record to reappear",
    });
  });
});
