import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArangoError, ERRORS, errorNameOf, isArangoError } from '../../src/errors/index.ts';

describe('error catalog', () => {
  it('gives every error number one name and an HTTP error status', () => {
    const seen = new Map<number, string>();
    for (const [name, entry] of Object.entries(ERRORS)) {
      assert.ok(name.startsWith('ERROR_'), name);
      assert.ok(entry.httpStatus >= 400 && entry.httpStatus < 600, `${name} status ${entry.httpStatus}`);
      assert.equal(seen.get(entry.errorNum), undefined, `${name} reuses errorNum ${entry.errorNum} of ${seen.get(entry.errorNum)}`);
      seen.set(entry.errorNum, name);
    }
  });

  it('uses ArangoDB numbers for the errors clients match on', () => {
    const expected: Record<string, number> = {
      ERROR_HTTP_CORRUPTED_JSON: 600,
      ERROR_ARANGO_CONFLICT: 1200,
      ERROR_ARANGO_DOCUMENT_NOT_FOUND: 1202,
      ERROR_ARANGO_DATA_SOURCE_NOT_FOUND: 1203,
      ERROR_ARANGO_DUPLICATE_NAME: 1207,
      ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED: 1210,
      ERROR_ARANGO_DOCUMENT_KEY_BAD: 1221,
      ERROR_ARANGO_DATABASE_NOT_FOUND: 1228,
      ERROR_CLUSTER_NOT_LEADER: 1496,
      ERROR_QUERY_PARSE: 1501,
      ERROR_QUERY_FUNCTION_NAME_UNKNOWN: 1540,
      ERROR_CURSOR_NOT_FOUND: 1600,
      ERROR_SERVICE_MOUNTPOINT_CONFLICT: 3011,
      ERROR_FORBIDDEN: 11,
    };
    for (const [name, num] of Object.entries(expected)) assert.equal(ERRORS[name as keyof typeof ERRORS].errorNum, num, name);
    assert.equal(errorNameOf(1210), 'ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED');
  });

  it('recognises ArangoErrors by brand and lets a throw override the status', () => {
    const e = new ArangoError('ERROR_ARANGO_CONFLICT', undefined, { httpStatus: 412, extra: { _rev: 'x' } });
    assert.equal(isArangoError(e), true);
    assert.equal(isArangoError(new Error('plain')), false);
    assert.deepEqual([e.errorNum, e.httpStatus, e.message, e.extra], [1200, 412, 'conflict', { _rev: 'x' }]);
  });
});
