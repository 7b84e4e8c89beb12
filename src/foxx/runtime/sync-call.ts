import { ArangoError, errorNameOf } from '../../errors/index.ts';
import type { WireError } from './protocol.ts';

/** A blocking call into the main thread: `(op, database, args) → value` (throws the host's error). */
export type SyncCall = (op: string, database: string, args?: Readonly<Record<string, unknown>>) => unknown;

/** Rebuilds an error that crossed a thread boundary (an ArangoError when its number is known). */
export function fromWireError(error: WireError): Error {
  const name = error.errorNum === undefined ? undefined : errorNameOf(error.errorNum);
  if (name !== undefined) {
    const err = new ArangoError(name, error.message, error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus });
    // ArangoDB's JS errors expose these; services test `e.isArangoError && e.errorNum === …`.
    Object.defineProperties(err, {
      isArangoError: { value: true },
      errorMessage: { value: error.message },
      code: { value: err.httpStatus },
    });
    return err;
  }
  const err = new Error(error.message) as Error & { statusCode?: number };
  if (error.httpStatus !== undefined) err.statusCode = error.httpStatus;
  return err;
}
