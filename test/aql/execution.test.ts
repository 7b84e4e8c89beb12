import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDataSource, prepareQuery, QueryCache } from '../../src/aql/index.ts';
import { isArangoError } from '../../src/errors/index.ts';
import { buildFixture } from '../fixtures/aql/fixture-data.ts';

function errorNum(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (isArangoError(e)) return e.errorNum;
    throw e;
  }
  return 0;
}

function bigSource(n: number): MemoryDataSource {
  const ds = new MemoryDataSource();
  ds.createCollection('big');
  for (let i = 0; i < n; i++) ds.insert('big', { _key: `k${i}`, i, city: `c${i % 10}` }, {});
  return ds;
}

describe('query execution', () => {
  it('streams rows through next() and nextBatch()', () => {
    const cursor = prepareQuery('FOR i IN 1..10 RETURN i', {}, buildFixture()).execute();
    assert.deepEqual(cursor.next(), { done: false, value: 1 });
    assert.deepEqual(cursor.nextBatch(3), [2, 3, 4]);
    assert.deepEqual(cursor.nextBatch(100), [5, 6, 7, 8, 9, 10]);
    assert.equal(cursor.done, true);
    assert.deepEqual(cursor.next(), { done: true, value: undefined });
  });

  it('is iterable', () => {
    assert.deepEqual([...prepareQuery('FOR x IN [3, 4] RETURN x', {}, buildFixture()).execute()], [3, 4]);
  });

  it('scans lazily so LIMIT stops a full scan early', () => {
    const ds = bigSource(5000);
    const cursor = prepareQuery('FOR d IN big LIMIT 3 RETURN d.i', {}, ds).execute();
    assert.deepEqual(cursor.all(), [0, 1, 2]);
    assert.equal(cursor.stats.scannedFull, 3);
  });

  it('reports scannedFull, scannedIndex, filtered and writes', () => {
    const ds = buildFixture();
    const c1 = prepareQuery('FOR u IN users FILTER u.active RETURN u', {}, ds).execute();
    c1.all();
    assert.equal(c1.stats.scannedFull, 5);
    assert.equal(c1.stats.filtered, 2);
    const c2 = prepareQuery('FOR u IN users FILTER u.city == "Paris" RETURN u', {}, ds).execute();
    c2.all();
    assert.equal(c2.stats.scannedIndex, 2);
    assert.equal(c2.stats.scannedFull, 0);
    const c3 = prepareQuery('FOR i IN 1..4 INSERT {_key: i == 2 ? "n1" : TO_STRING(i + 100)} INTO nums OPTIONS {ignoreErrors: true}', {}, ds).execute();
    c3.all();
    assert.equal(c3.stats.writesExecuted, 3);
    assert.equal(c3.stats.writesIgnored, 1);
    assert.ok(c3.stats.executionTime >= 0);
  });

  it('computes fullCount for the top-level LIMIT', () => {
    const p = prepareQuery('FOR n IN nums FILTER n.v > 2 SORT n.v LIMIT 2 RETURN n.v', {}, buildFixture(), { fullCount: true });
    const c = p.execute();
    assert.deepEqual(c.all(), [3, 4]);
    assert.equal(c.stats.fullCount, 8);
  });

  it('collects warnings such as division by zero', () => {
    const c = prepareQuery('FOR x IN [1, 0] RETURN 10 / x', {}, buildFixture()).execute();
    assert.deepEqual(c.all(), [10, null]);
    assert.deepEqual(c.warnings, [{ code: 1562, message: 'division by zero' }]);
  });

  it('turns warnings into errors with failOnWarning', () => {
    // the warning's own errorNum, as ArangoDB throws it
    assert.equal(errorNum(() => prepareQuery('RETURN 1 / 0', {}, buildFixture(), { failOnWarning: true }).execute().all()), 1562);
    assert.equal(errorNum(() => prepareQuery('RETURN LENGTH(1, 2)', {}, buildFixture(), { failOnWarning: true }).execute().all()), 1541);
    assert.equal(errorNum(() => prepareQuery('RETURN WARN(false, "x")', {}, buildFixture(), { failOnWarning: true }).execute().all()), 1594);
    assert.equal(errorNum(() => prepareQuery('RETURN BIT_AND("foo")', {}, buildFixture(), { failOnWarning: true }).execute().all()), 1542);
    assert.equal(errorNum(() => prepareQuery('FOR x IN [1, 2] RETURN DATE_YEAR("nope")', {}, buildFixture(), { failOnWarning: true }).execute().all()), 1572);
    const c = prepareQuery('RETURN BIT_AND("foo")', {}, buildFixture()).execute();
    assert.deepEqual([c.all(), c.warnings.map((w) => w.code)], [[null], [1542]]);
  });

  it('kills a runaway query after maxRuntime with error 1500', () => {
    const started = Date.now();
    const cursor = prepareQuery('FOR i IN 1..100000000000 FILTER i < 0 RETURN i', {}, buildFixture(), { maxRuntime: 0.2 }).execute();
    assert.equal(errorNum(() => cursor.all()), 1500);
    assert.ok(Date.now() - started < 5000);
    assert.equal(cursor.done, true);
  });

  it('stops a query when kill() is called between batches', () => {
    const cursor = prepareQuery('FOR i IN 1..100000000 RETURN i', {}, buildFixture()).execute();
    assert.equal(cursor.nextBatch(5).length, 5);
    cursor.kill();
    assert.equal(errorNum(() => cursor.nextBatch(5)), 1500);
  });

  it('stops a query when its AbortSignal fires', () => {
    const ac = new AbortController();
    const cursor = prepareQuery('FOR i IN 1..100000000 RETURN i', {}, buildFixture(), { signal: ac.signal }).execute();
    cursor.nextBatch(2);
    ac.abort();
    assert.equal(errorNum(() => cursor.nextBatch(1000)), 1500);
  });

  it('enforces memoryLimit with error 32', () => {
    const ds = bigSource(2000);
    const q = 'FOR d IN big SORT d.i DESC RETURN d';
    assert.equal(errorNum(() => prepareQuery(q, {}, ds, { memoryLimit: 10000 }).execute().all()), 32);
    const ok = prepareQuery(q, {}, ds).execute();
    assert.equal(ok.all().length, 2000);
    assert.ok(ok.stats.peakMemoryUsage > 10000);
  });

  it('passes user and database to CURRENT_USER() and CURRENT_DATABASE()', () => {
    const p = prepareQuery('RETURN [CURRENT_USER(), CURRENT_DATABASE()]', {}, buildFixture(), {}, { user: 'root', database: 'shop' });
    assert.deepEqual(p.execute().all(), [['root', 'shop']]);
  });

  it('marks modification queries and lists read and write collections', () => {
    const ds = buildFixture();
    const p = prepareQuery('FOR u IN users INSERT {n: u.name} INTO nums', {}, ds);
    assert.equal(p.isModification, true);
    assert.deepEqual(p.collections, { read: ['users'], write: ['nums'] });
    assert.equal(prepareQuery('FOR u IN users RETURN u', {}, ds).isModification, false);
  });

  it('leaves nothing behind when a modification fails and the caller aborts', () => {
    const ds = buildFixture();
    const before = ds.count('nums');
    ds.begin();
    const q = 'FOR i IN 1..5 INSERT {_key: i == 4 ? "n1" : CONCAT("t", i)} INTO nums';
    assert.equal(errorNum(() => prepareQuery(q, {}, ds).execute().all()), 1210);
    ds.abort();
    assert.equal(ds.count('nums'), before);
    assert.equal(ds.document('nums', 't1'), undefined);
    ds.begin();
    prepareQuery('FOR i IN 1..3 INSERT {_key: CONCAT("t", i)} INTO nums', {}, ds).execute().all();
    ds.commit();
    assert.equal(ds.count('nums'), before + 3);
  });

  it('fails the whole query on the first error without ignoreErrors', () => {
    const ds = buildFixture();
    const cursor = prepareQuery('FOR k IN ["a1", "n1", "a2"] INSERT {_key: k} INTO nums RETURN NEW._key', {}, ds).execute();
    assert.deepEqual(cursor.nextBatch(1), ['a1']);
    assert.equal(errorNum(() => cursor.nextBatch(5)), 1210);
    assert.equal(ds.document('nums', 'a2'), undefined);
  });

  it('can run a prepared query more than once', () => {
    const p = prepareQuery('FOR u IN users FILTER u.age > @a RETURN u.name', { a: 35 }, buildFixture());
    assert.deepEqual(p.execute().all(), ['sandra']);
    assert.deepEqual(p.execute().all(), ['sandra']);
  });

  it('caches parsed queries when given a QueryCache', () => {
    const cache = new QueryCache(2);
    const ds = buildFixture();
    const a = prepareQuery('RETURN 1', {}, ds, { cache });
    const b = prepareQuery('RETURN 1', {}, ds, { cache });
    assert.equal(a.ast, b.ast);
  });

  it('returns documents without copying them', () => {
    const ds = buildFixture();
    const [doc] = prepareQuery('FOR u IN users FILTER u._key == "ana" RETURN u', {}, ds).execute().all();
    assert.equal(doc, ds.document('users', 'ana'));
  });
});
