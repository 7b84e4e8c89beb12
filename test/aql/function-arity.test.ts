import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareQuery } from '../../src/aql/index.ts';
import { isArangoError } from '../../src/errors/index.ts';
import { buildFixture } from '../fixtures/aql/fixture-data.ts';

/**
 * Every function of ArangoDB 3.12 outside ArangoSearch with its argument counts (`NAME:min-max`,
 * `*` for unbounded), from ArangoDB's function registry and the 3.12 function pages
 * (DATE_DIFF/DATE_COMPARE/DATE_ROUND take time zones, GEO_POINT an elevation).
 */
const TABLE = `
  IS_NULL:1-1 IS_BOOL:1-1 IS_NUMBER:1-1 IS_STRING:1-1 IS_ARRAY:1-1 IS_LIST:1-1 IS_OBJECT:1-1 IS_DOCUMENT:1-1
  IS_DATESTRING:1-1 IS_IPV4:1-1 IS_KEY:1-1 TYPENAME:1-1 TO_NUMBER:1-1 TO_STRING:1-1 TO_BOOL:1-1 TO_ARRAY:1-1
  TO_LIST:1-1 CONCAT:1-* CONCAT_SEPARATOR:2-* CHAR_LENGTH:1-1 LOWER:1-1 UPPER:1-1 SUBSTRING:2-3
  SUBSTRING_BYTES:2-5 CONTAINS:2-3 LIKE:2-3 REGEX_MATCHES:2-3 REGEX_SPLIT:2-4 REGEX_TEST:2-3 REGEX_REPLACE:3-4
  LEFT:2-2 RIGHT:2-2 TRIM:1-2 LTRIM:1-2 RTRIM:1-2 FIND_FIRST:2-4 FIND_LAST:2-4 SPLIT:1-3 SUBSTITUTE:2-4
  IPV4_TO_NUMBER:1-1 IPV4_FROM_NUMBER:1-1 MD5:1-1 SHA1:1-1 SHA256:1-1 SHA512:1-1 CRC32:1-1 FNV64:1-1 HASH:1-1
  TO_BASE64:1-1 TO_HEX:1-1 ENCODE_URI_COMPONENT:1-1 SOUNDEX:1-1 LEVENSHTEIN_DISTANCE:2-2 LEVENSHTEIN_MATCH:3-6
  NGRAM_MATCH:2-4 NGRAM_SIMILARITY:3-3 NGRAM_POSITIONAL_SIMILARITY:3-3 MINHASH_MATCH:3-4 IN_RANGE:5-5
  RANDOM_TOKEN:1-1 UUID:0-0 FLOOR:1-1 CEIL:1-1 ROUND:1-1 ABS:1-1 SQRT:1-1 POW:2-2 LOG:1-1 LOG2:1-1 LOG10:1-1
  EXP:1-1 EXP2:1-1 SIN:1-1 COS:1-1 TAN:1-1 ASIN:1-1 ACOS:1-1 ATAN:1-1 ATAN2:2-2 RADIANS:1-1 DEGREES:1-1 PI:0-0
  BIT_AND:1-2 BIT_OR:1-2 BIT_XOR:1-2 BIT_NEGATE:2-2 BIT_TEST:2-2 BIT_POPCOUNT:1-1 BIT_SHIFT_LEFT:3-3
  BIT_SHIFT_RIGHT:3-3 BIT_CONSTRUCT:1-1 BIT_DECONSTRUCT:1-1 BIT_TO_STRING:2-2 BIT_FROM_STRING:1-1
  MINHASH_ERROR:1-1 MINHASH_COUNT:1-1 RAND:0-0 RANGE:2-3 UNION:2-* UNION_DISTINCT:2-* MINUS:2-*
  OUTERSECTION:2-* INTERSECTION:2-* JACCARD:2-2 FLATTEN:1-2 LENGTH:1-1 COUNT:1-1 MIN:1-1 MAX:1-1 SUM:1-1
  MEDIAN:1-1 PERCENTILE:2-3 AVERAGE:1-1 AVG:1-1 VARIANCE_SAMPLE:1-1 VARIANCE_POPULATION:1-1 VARIANCE:1-1
  STDDEV_SAMPLE:1-1 STDDEV_POPULATION:1-1 STDDEV:1-1 COUNT_DISTINCT:1-1 COUNT_UNIQUE:1-1 PRODUCT:1-1
  UNIQUE:1-1 SORTED_UNIQUE:1-1 SORTED:1-1 SLICE:2-3 REVERSE:1-1 FIRST:1-1 LAST:1-1 NTH:2-2 POSITION:2-3
  CONTAINS_ARRAY:2-3 PUSH:2-3 APPEND:2-3 POP:1-1 SHIFT:1-1 UNSHIFT:2-3 REMOVE_VALUE:2-3 REMOVE_VALUES:2-2
  REMOVE_NTH:2-2 REPLACE_NTH:3-4 INTERLEAVE:2-* DECAY_GAUSS:5-5 DECAY_EXP:5-5 DECAY_LINEAR:5-5 MINHASH:2-2
  COSINE_SIMILARITY:2-2 L1_DISTANCE:2-2 L2_DISTANCE:2-2 CALL:1-* APPLY:1-2 HAS:2-2 ATTRIBUTES:1-3 KEYS:1-3
  VALUES:1-2 VALUE:2-2 MERGE:1-* MERGE_RECURSIVE:1-* MATCHES:2-3 UNSET:2-* UNSET_RECURSIVE:2-* KEEP:2-*
  KEEP_RECURSIVE:2-* TRANSLATE:2-3 ZIP:2-2 JSON_STRINGIFY:1-1 JSON_PARSE:1-1 DOCUMENT:1-2 DISTANCE:4-4
  IS_IN_POLYGON:2-3 GEO_DISTANCE:2-3 GEO_CONTAINS:2-2 GEO_INTERSECTS:2-2 GEO_EQUALS:2-2 GEO_AREA:1-2
  GEO_IN_RANGE:4-7 GEO_POINT:2-3 GEO_MULTIPOINT:1-1 GEO_POLYGON:1-1 GEO_MULTIPOLYGON:1-1 GEO_LINESTRING:1-1
  GEO_MULTILINESTRING:1-1 DATE_TIMESTAMP:1-7 DATE_ISO8601:1-7 DATE_DAYOFWEEK:1-2 DATE_YEAR:1-2 DATE_MONTH:1-2
  DATE_DAY:1-2 DATE_HOUR:1-2 DATE_MINUTE:1-2 DATE_SECOND:1-1 DATE_MILLISECOND:1-1 DATE_DAYOFYEAR:1-2
  DATE_ISOWEEK:1-2 DATE_ISOWEEKYEAR:1-2 DATE_LEAPYEAR:1-2 DATE_QUARTER:1-2 DATE_DAYS_IN_MONTH:1-2 DATE_ADD:2-4
  DATE_SUBTRACT:2-4 DATE_DIFF:3-6 DATE_COMPARE:3-6 DATE_FORMAT:2-3 DATE_TRUNC:2-3 DATE_UTCTOLOCAL:2-3
  DATE_LOCALTOUTC:2-3 DATE_TIMEZONE:0-0 DATE_TIMEZONES:0-0 DATE_ROUND:3-4 DATE_NOW:0-0 PASSTHRU:1-1
  NOT_NULL:1-* FIRST_LIST:1-* FIRST_DOCUMENT:1-* PARSE_IDENTIFIER:1-1 PARSE_KEY:1-1 PARSE_COLLECTION:1-1
  IS_SAME_COLLECTION:2-2 DECODE_REV:1-1 SHARD_ID:2-2 SCHEMA_GET:1-1 SCHEMA_VALIDATE:2-2 VERSION:0-0 FAIL:0-1
  NOOPT:1-1 NOEVAL:1-1 SLEEP:1-1 COLLECTIONS:0-0 CURRENT_USER:0-0 CURRENT_DATABASE:0-0 CHECK_DOCUMENT:1-1
  COLLECTION_COUNT:1-1 ASSERT:2-2 WARN:2-2 NEAR:3-5 WITHIN:4-5 WITHIN_RECTANGLE:5-5 FULLTEXT:3-4
`;

const ds = buildFixture();

function errorNum(query: string): number {
  try {
    // parse and plan only: the count is checked before anything runs
    prepareQuery(query, {}, ds);
  } catch (e) {
    if (isArangoError(e)) return e.errorNum;
    throw e;
  }
  return 0;
}

const args = (n: number): string => Array.from({ length: n }, () => 'null').join(', ');

describe('AQL function argument counts (3.12)', () => {
  const entries = TABLE.trim().split(/\s+/).map((e) => {
    const [name, range] = e.split(':') as [string, string];
    const [min, max] = range.split('-') as [string, string];
    return { name, min: Number(min), max: max === '*' ? Infinity : Number(max) };
  });
  it('lists the 3.12 functions', () => assert.ok(entries.length >= 235, String(entries.length)));
  for (const { name, min, max } of entries) {
    it(`${name} takes ${min}..${max === Infinity ? 'n' : max} arguments`, () => {
      assert.notEqual(errorNum(`RETURN ${name}(${args(min)})`), 1540, `${name} is unknown`);
      assert.notEqual(errorNum(`RETURN ${name}(${args(min)})`), 1541, `${name}(${min} arguments) refused`);
      if (min > 0) assert.equal(errorNum(`RETURN ${name}(${args(min - 1)})`), 1541, `${name} with ${min - 1} arguments`);
      if (max !== Infinity) {
        assert.notEqual(errorNum(`RETURN ${name}(${args(max)})`), 1541, `${name}(${max} arguments) refused`);
        assert.equal(errorNum(`RETURN ${name}(${args(max + 1)})`), 1541, `${name} with ${max + 1} arguments`);
      }
    });
  }
});
