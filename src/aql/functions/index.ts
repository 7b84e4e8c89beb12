import type { FunctionTable } from './function-types.ts';
import { TYPE_FUNCTIONS } from './type-functions.ts';
import { STRING_FUNCTIONS } from './string-functions.ts';
import { NUMERIC_FUNCTIONS } from './numeric-functions.ts';
import { ARRAY_FUNCTIONS } from './array-functions.ts';
import { DOCUMENT_FUNCTIONS } from './document-functions.ts';
import { DATE_FUNCTIONS } from './date-functions.ts';
import { MISC_FUNCTIONS } from './misc-functions.ts';
import { EXTRA_STRING_FUNCTIONS } from './extra-string-functions.ts';
import { NETWORK_FUNCTIONS } from './network-functions.ts';
import { GEO_FUNCTIONS } from './geo-functions.ts';
import { DATE_ZONE_FUNCTIONS } from './date-zone-functions.ts';

export type { AqlFunction, FunctionContext, FunctionTable } from './function-types.ts';

/** Every built-in AQL function by upper-case name. */
export const FUNCTIONS: FunctionTable = Object.freeze({
  ...TYPE_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...NUMERIC_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  ...DOCUMENT_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...MISC_FUNCTIONS,
  ...EXTRA_STRING_FUNCTIONS,
  ...NETWORK_FUNCTIONS,
  ...GEO_FUNCTIONS,
  ...DATE_ZONE_FUNCTIONS,
});
