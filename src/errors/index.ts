export { ArangoError, isArangoError, errorNameOf, type ArangoErrorOptions, type ArangoErrorLike } from './arango-error.ts';
export { ERRORS, type ErrorName, type CatalogEntry } from './catalog.ts';
