import { ERRORS, type ErrorName } from './catalog.ts';

const BRAND = Symbol.for('kitsune.ArangoError');

/** Options that refine one thrown error. */
export interface ArangoErrorOptions {
  /** Overrides the catalog's HTTP status (e.g. 412 for an `If-Match` conflict). */
  readonly httpStatus?: number;
  /** Extra response headers, e.g. `X-Arango-Endpoint` on a follower. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
  /** Extra attributes merged into the error body (e.g. `_id`, `_key`, `_rev` on a conflict). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type kitsune throws on purpose. It carries ArangoDB's errorNum and the
 * HTTP status; `http/error-response.ts` turns it into `{error, code, errorNum, errorMessage}`.
 * Recognised across worker threads and vm contexts by a `Symbol.for` brand (see `isArangoError`).
 */
export class ArangoError extends Error {
  readonly errorName: ErrorName;
  readonly errorNum: number;
  readonly httpStatus: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly extra: Readonly<Record<string, unknown>> | undefined;

  constructor(name: ErrorName, message?: string, options: ArangoErrorOptions = {}) {
    const entry = ERRORS[name];
    super(message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArangoError';
    this.errorName = name;
    this.errorNum = entry.errorNum;
    this.httpStatus = options.httpStatus ?? entry.httpStatus;
    this.headers = options.headers;
    this.extra = options.extra;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** The wire shape of an ArangoError, e.g. after crossing a worker boundary. */
export interface ArangoErrorLike {
  readonly errorNum: number;
  readonly httpStatus: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

/** True for an ArangoError from this realm or another (worker thread, vm context). */
export function isArangoError(x: unknown): x is ArangoErrorLike {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
}

/** Looks an error number up in the catalog (for errors arriving as plain data). */
export function errorNameOf(errorNum: number): ErrorName | undefined {
  for (const [name, entry] of Object.entries(ERRORS)) if (entry.errorNum === errorNum) return name as ErrorName;
  return undefined;
}
