import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaseFence } from '../../src/agency/index.ts';
import { ManualClock } from '../../src/common/clock.ts';

describe('LeaseFence', () => {
  it('is not valid before any confirmation', () => {
    const fence = new LeaseFence(new ManualClock(1000), 500);
    assert.equal(fence.isCertainlyValid(), false);
    assert.equal(fence.validUntil(), -Infinity);
    assert.equal(fence.evaluate(), null);
  });

  it('counts validity from when the keep-alive request was sent, minus the safety margin', () => {
    const clock = new ManualClock(0);
    const fence = new LeaseFence(clock, 500);
    clock.set(1000); // request sent at 1000 …
    const sentAt = clock.now();
    clock.advance(300); // … answered 300 ms later
    fence.confirm(sentAt, 2000);
    assert.equal(fence.validUntil(), 1000 + 2000 - 500);
    assert.equal(fence.isCertainlyValid(2499), true);
    assert.equal(fence.isCertainlyValid(2500), false);
  });

  it('reports loss once when the bound passes and recovery once on the next confirmation', () => {
    const clock = new ManualClock(0);
    const fence = new LeaseFence(clock, 200);
    fence.confirm(0, 1000);
    assert.equal(fence.evaluate(), 'recovered');
    clock.set(799);
    assert.equal(fence.evaluate(), null);
    clock.set(800);
    assert.equal(fence.evaluate(), 'lost');
    clock.set(5000);
    assert.equal(fence.evaluate(), null, 'loss is reported once');
    fence.confirm(4900, 1000);
    assert.equal(fence.evaluate(), 'recovered');
    assert.equal(fence.evaluate(), null, 'recovery is reported once');
  });

  it('never lets a late answer to an older request shorten the bound', () => {
    const clock = new ManualClock(0);
    const fence = new LeaseFence(clock, 100);
    fence.confirm(2000, 1000);
    fence.confirm(1500, 1000); // answer to an older keep-alive arrives last
    assert.equal(fence.validUntil(), 2900);
  });

  it('invalidates at once when the lease is known to be gone', () => {
    const clock = new ManualClock(0);
    const fence = new LeaseFence(clock, 100);
    fence.confirm(0, 5000);
    fence.evaluate();
    clock.set(10);
    fence.invalidate();
    assert.equal(fence.isCertainlyValid(), false);
    assert.equal(fence.evaluate(), 'lost');
  });

  it('is never valid when the margin swallows the whole TTL', () => {
    const fence = new LeaseFence(new ManualClock(0), 1000);
    fence.confirm(0, 1000);
    assert.equal(fence.isCertainlyValid(0), false);
  });

  it('rejects a negative margin', () => {
    assert.throws(() => new LeaseFence(new ManualClock(), -1), RangeError);
  });
});

describe('ManualClock', () => {
  it('moves only forward', () => {
    const clock = new ManualClock(5);
    clock.advance(10);
    assert.equal(clock.now(), 15);
    assert.throws(() => clock.advance(-1), RangeError);
    assert.throws(() => clock.set(14), RangeError);
  });
});
