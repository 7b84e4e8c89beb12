// Small index lookups run inline on the main thread (no worker hop) under a time budget; anything
// else, or anything that runs out of budget, still runs in the query worker pool with the same result.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { prepareQuery } from '../../src/aql/index.ts';
import { InlineLane, inlineEligible, smallEnoughInline } from '../../src/query/inline-lane.ts';
import { LmdbDataSource, type QueryCaller, type QueryService } from '../../src/query/index.ts';
import { catalog, type StorageEngine } from '../../src/storage/index.ts';
import { startQueryEngine, type QueryEngine } from '../harness/query-engine.ts';

const BIG = 6000;
const root: QueryCaller = { user: 'root', isAdmin: true, level: () => 'rw' };

describe('the inline lane for small read queries', () => {
  let qe: QueryEngine;
  let engine: StorageEngine;
  let queries: QueryService;
  let ageIndex: string;
  before(async () => {
    qe = await startQueryEngine('kitsune-inline-');
    ({ engine, queries } = qe);
    const people = await catalog.createCollection(engine, '_system', 'people');
    await catalog.createCollection(engine, '_system', 'secret');
    await engine.write((tx) => {
      // `city-big` has BIG documents: far more than a 2 ms budget reads
      for (let i = 0; i < BIG + 100; i++) people.insert(tx, { _key: `p${i}`, name: `n${i}`, age: i % 50, city: i < BIG ? 'city-big' : `city-${i}`, blob: 'x'.repeat(200) });
    });
    await catalog.createIndex(engine, '_system', 'people', { type: 'persistent', fields: ['city'] });
    ageIndex = (await catalog.createIndex(engine, '_system', 'people', { type: 'persistent', fields: ['age'] })).index.id;
  });
  after(async () => {
    await qe.close();
  });

  const plan = (q: string, bindVars: Record<string, unknown> = {}): boolean => inlineEligible(prepareQuery(q, bindVars, new LmdbDataSource(engine, '_system')));

  it('takes only index lookups without function calls, slow operators or unbounded nodes', () => {
    assert.equal(plan('FOR p IN people FILTER p.city == @c RETURN p', { c: 'city-1' }), true);
    assert.equal(plan('FOR p IN people FILTER p.age >= 3 SORT p.age LIMIT 10 RETURN {n: p.name, a: p.age}'), true);
    assert.equal(plan('FOR p IN people FILTER p._key == "p1" RETURN p'), true);
    assert.equal(plan('FOR p IN people RETURN p'), false, 'a full scan');
    assert.equal(plan('FOR p IN people FILTER p.city == "x" RETURN LOWER(p.name)'), false, 'a function call');
    assert.equal(plan('FOR p IN people FILTER p.city == "x" FILTER p.name =~ "(a+)+$" RETURN p'), false, 'a regular expression');
    assert.equal(plan('FOR p IN people FILTER p.city == "x" FOR i IN 1..3 RETURN i'), false, 'a range');
    assert.equal(plan('FOR p IN people FILTER p.city == "x" COLLECT a = p.age RETURN a'), false, 'a COLLECT');
    assert.equal(plan('FOR p IN people FILTER p.city == "x" RETURN (FOR q IN people FILTER q.age == p.age RETURN q)'), false, 'a subquery');
    assert.equal(plan('RETURN 1'), false, 'no index lookup');
  });

  it('leaves large query texts and bind values to the workers', () => {
    assert.equal(smallEnoughInline('FOR p IN people FILTER p.city == @c RETURN p', { c: 'a' }), true);
    assert.equal(smallEnoughInline(`RETURN "${'x'.repeat(5000)}"`, {}), false);
    assert.equal(smallEnoughInline('RETURN @v', { v: 'x'.repeat(20_000) }), false);
    assert.equal(smallEnoughInline('RETURN @v', { v: Array.from({ length: 1000 }, (_, i) => i) }), false);
  });

  it('gives the first candidate of an event-loop turn the slot, and the others none', async () => {
    const lane = new InlineLane();
    assert.deepEqual(await Promise.all([lane.slot(), lane.slot(), lane.slot()]), [true, false, false]);
    assert.equal(await lane.slot(), true);
  });

  it('sends a text to the pool after repeated overruns, tries it again now and then, and never a text that is not eligible', () => {
    const lane = new InlineLane();
    for (let i = 0; i < 3; i++) lane.overran('q');
    const tries = Array.from({ length: 128 }, () => lane.mayTry('q')).filter(Boolean).length;
    assert.equal(tries, 2);
    lane.succeeded('q');
    assert.equal(lane.mayTry('q'), true);
    lane.toPool('r');
    assert.equal(Array.from({ length: 200 }, () => lane.mayTry('r')).some(Boolean), false);
  });

  it('answers a small lookup inline with the same rows the pool gives', async () => {
    const q = 'FOR p IN people FILTER p.city == @c SORT p._key RETURN p.name';
    // a run may miss the budget (cold code, a loaded machine) and then runs in the pool: poll for an inline one
    let inlineSeen = false;
    for (let i = 0; i < 100 && !inlineSeen; i++) {
      const count = queries.lanes.inline;
      const r = await queries.run('_system', q, { c: `city-${BIG + (i % 50)}` }, {}, root);
      assert.deepEqual(r.result, [`n${BIG + (i % 50)}`]);
      inlineSeen = queries.lanes.inline === count + 1;
    }
    assert.ok(inlineSeen, 'no run was answered inline');
    const before = { ...queries.lanes };
    // a burst: only the first of the turn runs inline, the rest in the pool, all with their rows
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => queries.run('_system', q, { c: `city-${BIG + i}` }, {}, root)));
    assert.deepEqual(burst.map((r) => r.result), Array.from({ length: 6 }, (_, i) => [`n${BIG + i}`]));
    assert.ok(queries.lanes.pool >= before.pool + 5, JSON.stringify(queries.lanes));
  });

  it('finishes a lookup that outgrows the budget in the pool, with every row', async () => {
    const before = { ...queries.lanes };
    const r = await queries.run('_system', 'FOR p IN people FILTER p.city == "city-big" RETURN p._key', {}, {}, root);
    assert.equal(r.result.length, BIG);
    assert.equal(new Set(r.result).size, BIG);
    assert.equal(queries.lanes.pool, before.pool + 1);
    assert.equal(queries.lanes.inline, before.inline);
  });

  it('checks permissions inline: a forbidden collection is 403 / 11', async () => {
    const eve: QueryCaller = { user: 'eve', isAdmin: false, level: (c) => (c === 'secret' ? 'none' : 'ro') };
    await assert.rejects(queries.run('_system', 'FOR s IN secret FILTER s._key == "s1" RETURN s', {}, {}, eve), { errorNum: 11 });
    await assert.rejects(queries.run('_system', 'FOR s IN @@c FILTER s._key == @k RETURN s', { '@c': 'secret', k: 's1' }, {}, eve), { errorNum: 11 });
    assert.deepEqual((await queries.run('_system', 'FOR p IN people FILTER p._key == "p1" RETURN p.name', {}, {}, eve)).result, ['n1']);
  });

  it('plans again once an index its cached plan uses is dropped', async () => {
    const q = 'FOR p IN people FILTER p.age == @a LIMIT 1 RETURN p.age';
    const bind = { a: 7 };
    // until a run was answered inline: its plan (over the age index) is cached and the next run is tried inline
    let inline = false;
    for (let i = 0; i < 300 && !inline; i++) {
      const count = queries.lanes.inline;
      assert.deepEqual((await queries.run('_system', q, bind, {}, root)).result, [7]);
      inline = queries.lanes.inline === count + 1;
    }
    assert.ok(inline, 'the query never ran inline');
    await catalog.dropIndex(engine, '_system', 'people', ageIndex);
    assert.deepEqual((await queries.run('_system', q, bind, {}, root)).result, [7]);
  });

  it('reports query errors inline as the pool does (missing bind value 1551)', async () => {
    await assert.rejects(queries.run('_system', 'FOR p IN people FILTER p.city == @c RETURN p', {}, {}, root), { errorNum: 1551 });
  });
});
