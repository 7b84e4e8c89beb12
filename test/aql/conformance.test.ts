import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareQuery } from '../../src/aql/index.ts';
import type { AqlCase } from '../fixtures/aql/case-types.ts';
import { checkCase, type CaseOutcome } from '../fixtures/aql/check-case.ts';
import { buildFixture } from '../fixtures/aql/fixture-data.ts';
import { OPERATOR_CASES } from '../fixtures/aql/operator-cases.ts';
import { FUNCTION_CASES } from '../fixtures/aql/function-cases.ts';
import { FUNCTION_CASES_312, TYPE_ORDER_CASES } from '../fixtures/aql/function-cases-312.ts';
import { QUERY_CASES } from '../fixtures/aql/query-cases.ts';
import { MODIFICATION_CASES } from '../fixtures/aql/modification-cases.ts';
import { GRAPH_CASES } from '../fixtures/aql/graph-cases.ts';
import { DOC_EXAMPLE_CASES } from '../fixtures/aql/doc-example-cases.ts';
import { FUNCTION_AUDIT_CASES } from '../fixtures/aql/function-cases-audit.ts';
import { CONSTRUCT_CASES_312 } from '../fixtures/aql/construct-cases-312.ts';

const shared = buildFixture();

function run(c: AqlCase): void {
  const ds = c.fresh === true ? buildFixture() : shared;
  let outcome: CaseOutcome;
  try {
    const cursor = prepareQuery(c.q, c.bind ?? {}, ds).execute();
    outcome = { rows: cursor.all(), warnings: cursor.warnings };
  } catch (error) {
    outcome = { error };
  }
  checkCase(c, outcome);
}

const suites: [string, readonly AqlCase[]][] = [
  ['operators and values', OPERATOR_CASES],
  ['functions', FUNCTION_CASES],
  ['functions added for 3.12', FUNCTION_CASES_312],
  ['type order, per comparison operator', TYPE_ORDER_CASES],
  ['queries', QUERY_CASES],
  ['modifications', MODIFICATION_CASES],
  ['graphs', GRAPH_CASES],
  ['documented examples of the 3.12 pages', DOC_EXAMPLE_CASES],
  ['3.12 function audit', FUNCTION_AUDIT_CASES],
  ['3.12 construct options and operators', CONSTRUCT_CASES_312],
];

describe('AQL conformance', () => {
  it('has at least 400 cases', () => {
    const total = suites.reduce((n, [, cases]) => n + cases.length, 0);
    assert.ok(total >= 400, `only ${total} cases`);
  });
  for (const [name, cases] of suites) {
    describe(name, () => {
      for (const c of cases) it(c.q + (c.bind === undefined ? '' : ` ${JSON.stringify(c.bind)}`), () => run(c));
    });
  }
});
