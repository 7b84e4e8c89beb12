import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  agencyKeys,
  decodeLeaderValue,
  decodeMemberInfo,
  encodeLeaderValue,
  encodeMemberInfo,
  findEtcdBinary,
  type MemberInfo,
} from '../../src/agency/index.ts';
import { isArangoError } from '../../src/errors/index.ts';

describe('agency key layout', () => {
  it('puts everything of a deployment under /kitsune/<deployment>/', () => {
    const keys = agencyKeys('prod-1');
    assert.equal(keys.root, '/kitsune/prod-1/');
    assert.equal(keys.leader, '/kitsune/prod-1/leader');
    assert.equal(keys.foxxmaster, '/kitsune/prod-1/foxxmaster');
    assert.equal(keys.membersPrefix, '/kitsune/prod-1/members/');
    assert.equal(keys.member('SNGL-abc'), '/kitsune/prod-1/members/SNGL-abc');
  });

  it('refuses names that would escape their key segment', () => {
    for (const bad of ['', 'a/b', '../x', 'x y', '-lead', 'a'.repeat(129)]) {
      assert.throws(() => agencyKeys(bad), (e) => isArangoError(e) && e.errorNum === 10, `deployment '${bad}'`);
      assert.throws(() => agencyKeys('ok').member(bad), (e) => isArangoError(e) && e.errorNum === 10, `member '${bad}'`);
    }
  });
});

describe('agency records', () => {
  const member: MemberInfo = {
    id: 'SNGL-1',
    endpoint: 'tcp://127.0.0.1:8529',
    role: 'follower',
    appliedTick: '18446744073709551615',
    applierState: 'tailing',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };

  it('round-trips leader values and member records', () => {
    assert.deepEqual(decodeLeaderValue(encodeLeaderValue({ id: 'A', endpoint: 'tcp://a:1' })), { id: 'A', endpoint: 'tcp://a:1' });
    assert.deepEqual(decodeMemberInfo(encodeMemberInfo(member)), member);
  });

  it('reads unknown or broken records as null instead of throwing', () => {
    assert.equal(decodeLeaderValue('not json'), null);
    assert.equal(decodeLeaderValue('"A"'), null);
    assert.equal(decodeLeaderValue('{"id":1,"endpoint":"x"}'), null);
    assert.equal(decodeMemberInfo(JSON.stringify({ ...member, role: 'king' })), null);
    assert.equal(decodeMemberInfo(JSON.stringify({ ...member, applierState: 'dancing' })), null);
    assert.equal(decodeMemberInfo(JSON.stringify({ ...member, appliedTick: 12 })), null);
    assert.equal(decodeMemberInfo(JSON.stringify({ ...member, appliedTick: '-1' })), null);
    assert.equal(decodeMemberInfo('[]'), null);
  });

  it('ignores extra fields such as an embedded term', () => {
    assert.deepEqual(decodeLeaderValue('{"id":"A","endpoint":"e","term":7}'), { id: 'A', endpoint: 'e' });
  });
});

describe('findEtcdBinary', () => {
  it('finds the first executable etcd on the search path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kitsune-bin-'));
    try {
      const fake = join(dir, 'etcd');
      await writeFile(fake, '#!/bin/sh\n');
      await chmod(fake, 0o755);
      assert.equal(await findEtcdBinary({ searchPath: `/nonexistent:${dir}` }), fake);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the Debian package etcd-server when etcd is missing', async () => {
    await assert.rejects(findEtcdBinary({ searchPath: '/nonexistent' }), (error) => {
      assert.ok(isArangoError(error));
      assert.equal(error.errorNum, 14);
      assert.match(error.message, /etcd-server/);
      return true;
    });
    await assert.rejects(findEtcdBinary({ explicitPath: '/nonexistent/etcd' }), /etcd-server/);
  });

  it('skips a non-executable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kitsune-bin-'));
    try {
      await writeFile(join(dir, 'etcd'), 'data');
      await assert.rejects(findEtcdBinary({ searchPath: dir }), /etcd-server/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
