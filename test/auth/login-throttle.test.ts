import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { LoginThrottle } from '../../src/auth/login-throttle.ts';
import { CLIENT_HEADER, clientAddressOf, forwardedClientHeader, trustForwardedClients } from '../../src/http/index.ts';

const WINDOW = 60_000;

function failTimes(t: LoginThrottle, n: number, client: string, user: (i: number) => string, now: number): void {
  for (let i = 0; i < n; i++) t.recordFailure(client, user(i), now);
}

describe('failed-login limits (attack: guess passwords, spray user names, lock out a user)', () => {
  it('refuses a client for one user after maxFailures, until the window ends, without touching other clients', () => {
    const t = new LoginThrottle({ maxFailures: 10, windowMs: WINDOW });
    failTimes(t, 9, '10.0.0.1', () => 'root', 0);
    assert.equal(t.admit('10.0.0.1', 'root', 1).refused, false);
    t.recordFailure('10.0.0.1', 'root', 1);
    assert.equal(t.admit('10.0.0.1', 'root', 2).refused, true, 'the tenth failure locks the pair');
    assert.deepEqual({ ...t.admit('10.0.0.2', 'root', 2), done: undefined }, { refused: false, delayMs: 0, done: undefined }, 'another client logs in as root at once');
    assert.equal(t.admit('10.0.0.1', 'alice', 2).refused, false, 'the same client may still log in as another user');
    assert.equal(t.admit('10.0.0.1', 'root', WINDOW + 1).refused, false, 'the lock ends with the window');
  });

  it('slows down (never locks out) a client that sprays many user names, two attempts at a time', () => {
    const t = new LoginThrottle({ maxFailures: 10, windowMs: WINDOW });
    failTimes(t, 50, '10.0.0.9', (i) => `name-${i}`, 0);
    const a = t.admit('10.0.0.9', 'alice', 1);
    const b = t.admit('10.0.0.9', 'bob', 1);
    const c = t.admit('10.0.0.9', 'carol', 1);
    assert.equal(a.refused, false);
    assert.equal(a.delayMs, 1000, 'a noisy client waits a second per attempt');
    assert.equal(b.refused, false);
    assert.equal(c.refused, true, 'a third attempt at the same time is refused: the hash queue stays free');
    a.done();
    a.done();
    assert.equal(t.admit('10.0.0.9', 'carol', 2).refused, false, 'a finished attempt frees its slot (once)');
    assert.equal(t.admit('10.0.0.8', 'alice', 2).delayMs, 0, 'other clients are not slowed');
  });

  it('slows down a user attacked from many clients but never refuses it', () => {
    const t = new LoginThrottle({ maxFailures: 10, windowMs: WINDOW });
    for (let i = 0; i < 100; i++) t.recordFailure(`10.1.${i >> 8}.${i & 255}`, 'root', 0);
    const real = t.admit('192.168.1.5', 'root', 1);
    assert.equal(real.refused, false, 'the real root still gets its password checked');
    assert.equal(real.delayMs, 1000);
    assert.equal(t.admit('192.168.1.5', 'alice', 1).delayMs, 0);
  });

  it('a correct password clears only its own pair', () => {
    const t = new LoginThrottle({ maxFailures: 3, windowMs: WINDOW });
    failTimes(t, 2, 'c', () => 'u', 0);
    t.recordSuccess('c', 'u');
    failTimes(t, 2, 'c', () => 'u', 0);
    assert.equal(t.admit('c', 'u', 1).refused, false, 'two failures after the success: not locked');
    t.recordFailure('c', 'u', 1);
    assert.equal(t.admit('c', 'u', 2).refused, true);
  });

  it('is off with maxFailures 0', () => {
    const t = new LoginThrottle({ maxFailures: 0, windowMs: WINDOW });
    failTimes(t, 1000, 'c', () => 'u', 0);
    assert.equal(t.admit('c', 'u', 1).refused, false);
  });
});

describe('forwarded client addresses (coordinator → DB-server)', () => {
  const request = (remoteAddress: string, header?: string): IncomingMessage =>
    ({ socket: { remoteAddress }, headers: header === undefined ? {} : { [CLIENT_HEADER]: header } }) as unknown as IncomingMessage;

  it('trusts a signed address, ignores a forged or re-addressed one', () => {
    trustForwardedClients('deployment-secret');
    const signed = forwardedClientHeader(request('203.0.113.7'));
    assert.ok(signed !== undefined);
    assert.equal(clientAddressOf(request('127.0.0.1', signed)), '203.0.113.7', 'the coordinator\'s signed client');
    assert.equal(clientAddressOf(request('127.0.0.1', signed.replace('203.0.113.7', '203.0.113.8'))), '127.0.0.1', 'another address with the same MAC');
    assert.equal(clientAddressOf(request('127.0.0.1', '203.0.113.7.AAAAAAAAAAAAAAAAAAAAAA')), '127.0.0.1', 'a made-up MAC');
    assert.equal(clientAddressOf(request('127.0.0.1', 'garbage')), '127.0.0.1');
    assert.equal(forwardedClientHeader(request('127.0.0.1', signed)), signed, 'forwarding again keeps the original client');
    trustForwardedClients('another-deployment');
    assert.equal(clientAddressOf(request('127.0.0.1', signed)), '127.0.0.1', 'a header signed by another deployment is ignored');
  });
});
