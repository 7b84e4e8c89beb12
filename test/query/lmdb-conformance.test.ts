// The AQL conformance suite of test/aql, run again on the real lmdb storage through the
// LmdbDataSource adapter: the same cases must give the same rows on both data sources.
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { prepareQuery } from '../../src/aql/index.ts';
import { LmdbDataSource } from '../../src/query/index.ts';
import { StorageEngine, catalog } from '../../src/storage/index.ts';
import type { AqlCase } from '../fixtures/aql/case-types.ts';
import { checkCase, type CaseOutcome } from '../fixtures/aql/check-case.ts';
import { USERS } from '../fixtures/aql/fixture-data.ts';
import { FUNCTION_CASES } from '../fixtures/aql/function-cases.ts';
import { FUNCTION_CASES_312, TYPE_ORDER_CASES } from '../fixtures/aql/function-cases-312.ts';
import { GRAPH_CASES } from '../fixtures/aql/graph-cases.ts';
import { MODIFICATION_CASES } from '../fixtures/aql/modification-cases.ts';
import { OPERATOR_CASES } from '../fixtures/aql/operator-cases.ts';
import { QUERY_CASES } from '../fixtures/aql/query-cases.ts';
import { CONSTRUCT_CASES_312 } from '../fixtures/aql/construct-cases-312.ts';
import { FUNCTION_AUDIT_CASES } from '../fixtures/aql/function-cases-audit.ts';
import { tempDir } from '../harness/server.ts';

/** Loads the conformance data set (test/fixtures/aql/fixture-data.ts) into a database. */
async function load(engine: StorageEngine, db: string): Promise<void> {
  await catalog.createDatabase(engine, db);
  for (const name of ['users', 'orders', 'nums', 'places']) await catalog.createCollection(engine, db, name);
  await catalog.createCollection(engine, db, 'roads', { type: 3 });
  const ix = (coll: string, fields: string[], name: string, unique = false, sparse = false) =>
    catalog.createIndex(engine, db, coll, { type: 'persistent', fields, name, unique, sparse });
  await ix('users', ['age'], 'idx_age');
  await ix('users', ['city'], 'idx_city');
  await ix('users', ['name'], 'idx_name', true);
  await ix('users', ['email'], 'idx_email', false, true);
  await ix('orders', ['user'], 'idx_user');
  await ix('nums', ['grp', 'v'], 'idx_grp_v');
  const c = (name: string) => engine.collection(db, name);
  await engine.write((tx) => {
    for (const u of USERS) c('users').insert(tx, u);
    for (const [k, user, amount] of [['o1', 'john', 10], ['o2', 'john', 20], ['o3', 'yves', 5], ['o4', 'sandra', 7]] as const) c('orders').insert(tx, { _key: k, user, amount });
    for (let i = 1; i <= 10; i++) c('nums').insert(tx, { _key: `n${i}`, v: i, even: i % 2 === 0, grp: i % 3, ...(i === 1 ? { meta: { a: 1, b: 2 } } : {}) });
    for (const p of ['A', 'B', 'C', 'D', 'E']) c('places').insert(tx, { _key: p, name: `place ${p}` });
    for (const [k, from, to, w] of [['r1', 'A', 'B', 1], ['r2', 'B', 'C', 1], ['r3', 'A', 'C', 5], ['r4', 'C', 'D', 1], ['r5', 'B', 'D', 3], ['r6', 'D', 'E', 1]] as const) {
      c('roads').insert(tx, { _key: k, _from: `places/${from}`, _to: `places/${to}`, w });
    }
    c('_graphs').insert(tx, { _key: 'roadgraph', edgeDefinitions: [{ collection: 'roads', from: ['places'], to: ['places'] }] });
  });
}

describe('AQL conformance on lmdb', () => {
  const tmp = tempDir();
  let engine: StorageEngine;
  let fresh = 0;
  before(async () => {
    engine = await StorageEngine.open({ dataDir: tmp.dir, retention: { maxAgeSeconds: 3600, maxEntries: 1e7 } }, pino({ level: 'silent' }));
    await catalog.bootstrap(engine);
    await load(engine, 'shared');
  });
  after(async () => {
    await engine.close();
    tmp.cleanup();
  });

  async function run(c: AqlCase): Promise<void> {
    let db = 'shared';
    if (c.fresh === true) {
      db = `fresh${++fresh}`;
      await load(engine, db);
    }
    let outcome: CaseOutcome;
    try {
      const probe = prepareQuery(c.q, c.bind ?? {}, new LmdbDataSource(engine, db));
      if (probe.isModification) {
        outcome = await engine.writeAtomic((tx) => {
          const cursor = prepareQuery(c.q, c.bind ?? {}, new LmdbDataSource(engine, db, tx)).execute();
          return { rows: cursor.all(), warnings: cursor.warnings };
        });
      } else {
        const cursor = probe.execute();
        outcome = { rows: cursor.all(), warnings: cursor.warnings };
      }
    } catch (error) {
      outcome = { error };
    }
    checkCase(c, outcome, true);
  }

  const suites: [string, readonly AqlCase[]][] = [
    ['operators and values', OPERATOR_CASES],
    ['functions', FUNCTION_CASES],
    ['functions and constructs added for 3.12', FUNCTION_CASES_312],
    ['type order, per comparison operator', TYPE_ORDER_CASES],
    ['queries', QUERY_CASES],
    ['modifications', MODIFICATION_CASES],
    ['graphs', GRAPH_CASES],
    ['3.12 function audit', FUNCTION_AUDIT_CASES],
    ['3.12 construct options and operators', CONSTRUCT_CASES_312],
  ];
  for (const [name, cases] of suites) {
    describe(name, () => {
      for (const c of cases) it(c.q + (c.bind === undefined ? '' : ` ${JSON.stringify(c.bind)}`), () => run(c));
    });
  }
});
