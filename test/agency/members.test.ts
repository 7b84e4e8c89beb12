import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueDeployment, waitFor, useEtcdSuite } from './agency-test-kit.ts';

describe('member records on a real etcd', () => {
  const suite = useEtcdSuite({ leaseTtlSeconds: 2 });
  const member = suite.member;


  it('lists every published member with its fields, sorted by id', async () => {
    const deployment = uniqueDeployment('members');
    const b = await member(deployment, 'B');
    const a = await member(deployment, 'A');
    const written = await b.publishMember({ endpoint: 'tcp://b:1', role: 'follower', appliedTick: '41', applierState: 'tailing' });
    await a.publishMember({ endpoint: 'tcp://a:1', role: 'leader', appliedTick: '42', applierState: 'none' });
    const members = await a.listMembers();
    assert.deepEqual(
      members.map(({ updatedAt: _u, ...rest }) => rest),
      [
        { id: 'A', endpoint: 'tcp://a:1', role: 'leader', appliedTick: '42', applierState: 'none' },
        { id: 'B', endpoint: 'tcp://b:1', role: 'follower', appliedTick: '41', applierState: 'tailing' },
      ],
    );
    assert.deepEqual(members[1], written);
    assert.ok(!Number.isNaN(Date.parse(written.updatedAt)));
  });

  it('keeps deployments apart', async () => {
    const a = await member(uniqueDeployment('one'), 'A');
    const b = await member(uniqueDeployment('two'), 'B');
    await a.publishMember({ endpoint: 'tcp://a:1', role: 'leader', appliedTick: '1', applierState: 'none' });
    assert.deepEqual(await b.listMembers(), []);
  });

  it('removes a member record at once when its member closes', async () => {
    const deployment = uniqueDeployment('leave');
    const a = await member(deployment, 'A');
    const b = await member(deployment, 'B');
    await a.publishMember({ endpoint: 'tcp://a:1', role: 'follower', appliedTick: '1', applierState: 'tailing' });
    assert.equal((await b.listMembers()).length, 1);
    await a.close();
    assert.deepEqual(await b.listMembers(), []);
  });

  it('refreshes the record on every heartbeat', async () => {
    const deployment = uniqueDeployment('beat');
    const a = await member(deployment, 'A');
    let tick = 0;
    a.startMemberHeartbeat(() => ({ endpoint: 'tcp://a:1', role: 'follower', appliedTick: String(++tick), applierState: 'tailing' }), 50);
    await waitFor(async () => Number((await a.listMembers())[0]?.appliedTick ?? 0) >= 3, {
      timeoutMs: 5000,
      what: 'three heartbeats',
    });
  });

  it('rejects a tick that is not a decimal string', async () => {
    const a = await member(uniqueDeployment('tick'), 'A');
    await assert.rejects(a.publishMember({ endpoint: 'e', role: 'follower', appliedTick: '1e3', applierState: 'none' }), RangeError);
  });
});
