import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseQuery } from '../../src/aql/index.ts';
import { isArangoError } from '../../src/errors/index.ts';

function syntaxError(q: string): { errorNum: number; message: string } {
  try {
    parseQuery(q);
  } catch (e) {
    if (isArangoError(e)) return { errorNum: e.errorNum, message: e.message };
    throw e;
  }
  assert.fail(`no error for ${q}`);
}

describe('AQL parser', () => {
  it('reports syntax errors with ArangoDB-style position info', () => {
    const e = syntaxError('FOR u IN users RETRUN u');
    assert.equal(e.errorNum, 1501);
    assert.match(e.message, /syntax error, unexpected identifier near 'RETRUN u' at position 1:16/);
  });

  it('counts lines and columns', () => {
    const e = syntaxError('FOR u IN users\n  FILTER u.x ==\n  RETURN u');
    assert.match(e.message, /unexpected RETURN keyword near 'RETURN u' at position 3:3/);
  });

  it('reports the end of the query string', () => {
    assert.match(syntaxError('RETURN 1 +').message, /unexpected end of query string near '' at position 1:11/);
  });

  const bad: [string, RegExp][] = [
    ['RETURN {a: 1', /unexpected end of query string/],
    ['RETURN "abc', /unterminated string/],
    ['FOR x IN [1] LIMIT RETURN x', /unexpected RETURN keyword/],
    ['RETURN 1 RETURN 2', /unexpected RETURN keyword/],
    ['FOR x IN [1]', /unexpected end of query string/],
    ['LET = 1 RETURN 1', /unexpected '='/],
    ['RETURN [1, 2]]', /unexpected '\]'/],
    ['RETURN 1 /* open comment', /unterminated multi-line comment/],
    ['FILTER true RETURN 1 2', /unexpected integer number/],
    ['RETURN a.', /unexpected end of query string/],
    ['RETURN #', /unexpected character '#'/],
    ['FOR x IN [1] SORT x ASC DESC RETURN x', /unexpected DESC keyword/],
    ['RETURN 1.5.3', /unexpected integer number/],
  ];
  for (const [q, re] of bad) {
    it(`rejects ${JSON.stringify(q)}`, () => {
      const e = syntaxError(q);
      assert.equal(e.errorNum, 1501);
      assert.match(e.message, re);
    });
  }

  it('rejects an empty query with 1502', () => {
    assert.equal(syntaxError('   ').errorNum, 1502);
  });

  it('accepts comments, case-insensitive keywords and quoted names', () => {
    const ast = parseQuery('/* c */ for `for` IN @@coll // trailing\n FILTER `for`.x == @v return `for`');
    assert.deepEqual(ast.bindParams, ['v']);
    assert.deepEqual(ast.bindCollections, ['coll']);
    assert.equal(ast.body.operations.length, 3);
  });

  it('builds readonly tagged nodes', () => {
    const ast = parseQuery('FOR x IN [1, 2] FILTER x > 1 RETURN x * 2');
    assert.deepEqual(ast.body.operations.map((o) => o.kind), ['for', 'filter', 'return']);
    const ret = ast.body.operations[2];
    assert.equal(ret?.kind === 'return' ? ret.expr.kind : undefined, 'binary');
  });

  it('answers /_api/query style parse results', () => {
    const r = parse('FOR u IN users FILTER u.age > @min INSERT {u} INTO @@out');
    assert.equal(r.parsed, true);
    assert.deepEqual(r.collections, ['users']);
    assert.deepEqual(r.bindVars, ['min', '@out']);
    assert.equal(r.ast[0]?.type, 'root');
    assert.deepEqual(r.ast[0]?.subNodes?.map((n) => n.type), ['for', 'filter', 'insert']);
    const filter = r.ast[0]?.subNodes?.[1];
    assert.equal(filter?.subNodes?.[0]?.type, 'compare >');
  });
});
