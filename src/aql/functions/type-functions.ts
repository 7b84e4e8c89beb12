import { fn, type FunctionTable } from './function-types.ts';
import { isObject, toArray, toBool, toNumber, toStringValue, typeName } from '../values.ts';

const ISO_DATE = /^[+-]?\d{4,6}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Type checks and casts. */
export const TYPE_FUNCTIONS: FunctionTable = {
  IS_NULL: fn(1, 1, (_c, [v]) => v === null || v === undefined),
  IS_BOOL: fn(1, 1, (_c, [v]) => typeof v === 'boolean'),
  IS_NUMBER: fn(1, 1, (_c, [v]) => typeof v === 'number'),
  IS_STRING: fn(1, 1, (_c, [v]) => typeof v === 'string'),
  IS_ARRAY: fn(1, 1, (_c, [v]) => Array.isArray(v)),
  IS_LIST: fn(1, 1, (_c, [v]) => Array.isArray(v)),
  IS_OBJECT: fn(1, 1, (_c, [v]) => isObject(v)),
  IS_DOCUMENT: fn(1, 1, (_c, [v]) => isObject(v)),
  IS_DATESTRING: fn(1, 1, (_c, [v]) => typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v.length === 10 ? v : v))),
  IS_KEY: fn(1, 1, (_c, [v]) => typeof v === 'string' && /^[a-zA-Z0-9_\-:.@()+,=;$!*'%]{1,254}$/.test(v)),
  TO_BOOL: fn(1, 1, (_c, [v]) => toBool(v)),
  TO_NUMBER: fn(1, 1, (_c, [v]) => toNumber(v)),
  TO_STRING: fn(1, 1, (_c, [v]) => toStringValue(v)),
  TO_ARRAY: fn(1, 1, (_c, [v]) => toArray(v)),
  TO_LIST: fn(1, 1, (_c, [v]) => toArray(v)),
  TYPENAME: fn(1, 1, (_c, [v]) => typeName(v)),
};
