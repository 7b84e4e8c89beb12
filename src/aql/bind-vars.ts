import { ArangoError } from '../errors/index.ts';
import type { QueryAst } from './ast.ts';
import { isObject } from './values.ts';

/** Validates bind parameters against the query: 1551 missing, 1552 undeclared, 1553 bad collection value. */
export function validateBindVars(ast: QueryAst, bindVars: Readonly<Record<string, unknown>>): void {
  for (const name of ast.bindParams) {
    if (!Object.prototype.hasOwnProperty.call(bindVars, name)) {
      throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_MISSING', `no value specified for declared bind parameter '${name}'`);
    }
  }
  for (const name of ast.bindCollections) {
    const key = '@' + name;
    if (!Object.prototype.hasOwnProperty.call(bindVars, key)) {
      throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_MISSING', `no value specified for declared bind parameter '${key}'`);
    }
    const v = bindVars[key];
    if (!(typeof v === 'string' && v !== '') && !(isObject(v) && typeof v['name'] === 'string')) {
      throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_TYPE', `bind parameter '${key}' has an invalid value or type`);
    }
  }
  const declared = new Set([...ast.bindParams, ...ast.bindCollections.map((n) => '@' + n)]);
  for (const key of Object.keys(bindVars)) {
    if (!declared.has(key)) throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_UNDECLARED', `bind parameter '${key}' was not declared in the query`);
  }
}
