import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AgencyClient } from '../../src/agency/index.ts';
import { retry } from '../../src/common/retry.ts';
import { isArangoError } from '../../src/errors/index.ts';
import { freePort, startEtcd, type EtcdProcess } from '../harness/etcd.ts';
import { captureLogger } from './agency-test-kit.ts';

const AGENCY_COMMUNICATION_FAILED = 1492;

function client(endpoint: string, requestTimeoutMs?: number): AgencyClient {
  return new AgencyClient({
    endpoints: [endpoint],
    deployment: 'unreachable',
    memberId: 'A',
    leaseTtlSeconds: 2,
    log: captureLogger().log,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
}

describe('an unreachable agency', () => {
  it('fails connect() quickly with a clear error when nothing listens', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const agency = client(endpoint);
    const started = performance.now();
    await assert.rejects(agency.connect(), (error) => {
      assert.ok(isArangoError(error));
      assert.equal(error.errorNum, AGENCY_COMMUNICATION_FAILED);
      assert.match(error.message, /cannot reach the agency/);
      assert.ok(error.message.includes(endpoint), error.message);
      return true;
    });
    assert.ok(performance.now() - started < 3000, 'fails fast');
    await agency.close();
  });

  it('gives up at the retry deadline with the last connect error', async () => {
    const agency = client(`http://127.0.0.1:${await freePort()}`);
    let attempts = 0;
    const started = performance.now();
    await assert.rejects(
      retry(
        () => {
          attempts++;
          return agency.connect();
        },
        { maxAttempts: Infinity, initialDelayMs: 50, maxDelayMs: 200, deadlineMs: 1000 },
      ),
      { errorNum: AGENCY_COMMUNICATION_FAILED },
    );
    assert.ok(attempts >= 2, `retried (${attempts} attempts)`);
    assert.ok(performance.now() - started < 4000);
    await agency.close();
  });

  it('refuses calls before connect() and after close()', async () => {
    const agency = client('http://127.0.0.1:1');
    await assert.rejects(agency.getLeader(), { errorNum: AGENCY_COMMUNICATION_FAILED });
    await agency.close();
    await assert.rejects(agency.getLeader(), { errorNum: 30 });
    await assert.rejects(agency.connect(), { errorNum: 30 });
  });

  it('rejects configurations that cannot work', () => {
    const log = captureLogger().log;
    const base = { endpoints: ['http://127.0.0.1:1'], deployment: 'd', memberId: 'A', leaseTtlSeconds: 2, log };
    assert.throws(() => new AgencyClient({ ...base, endpoints: [] }), { errorNum: 10 });
    assert.throws(() => new AgencyClient({ ...base, leaseTtlSeconds: 0.5 }), { errorNum: 10 });
    assert.throws(() => new AgencyClient({ ...base, memberId: 'a/b' }), { errorNum: 10 });
  });

  describe('a frozen etcd', () => {
    let etcd: EtcdProcess;
    before(async () => {
      etcd = await startEtcd();
    });
    after(async () => {
      await etcd.stop();
    });

    it('times out connect() after the request timeout, then connects once etcd thaws', async () => {
      const agency = client(etcd.endpoint, 500);
      etcd.pause();
      try {
        const started = performance.now();
        await assert.rejects(agency.connect(), { errorNum: AGENCY_COMMUNICATION_FAILED });
        assert.ok(performance.now() - started < 3000, 'bounded by the request timeout');
      } finally {
        etcd.resume();
      }
      await retry(() => agency.connect(), { maxAttempts: Infinity, initialDelayMs: 50, maxDelayMs: 200, deadlineMs: 10_000 });
      assert.notEqual(agency.leaseId(), null);
      assert.equal(agency.isLeaseCertainlyValid(), true);
      await agency.close();
    });
  });
});
