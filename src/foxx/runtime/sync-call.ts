import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ArangoError, errorNameOf } from '../../errors/index.ts';
import type { HostReply, WireError } from './protocol.ts';

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

/**
 * Worker side of the synchronous host channel: posts the call on `port`, blocks the thread with
 * `Atomics.wait` until the main thread flips `signal[0]`, then takes the reply off the port with
 * `receiveMessageOnPort` (no event loop turn needed). One call at a time per worker, which holds
 * because the thread is blocked while a call is in flight.
 */
export function createSyncCall(port: MessagePort, signalBuffer: SharedArrayBuffer): SyncCall {
  const signal = new Int32Array(signalBuffer);
  return (op, database, args = {}) => {
    Atomics.store(signal, 0, 0);
    port.postMessage({ op, database, args });
    Atomics.wait(signal, 0, 0);
    const received = receiveMessageOnPort(port);
    if (received === undefined) throw new Error(`host call ${op} returned no reply`);
    const reply = received.message as HostReply;
    if (!reply.ok) throw fromWireError(reply.error);
    return reply.value;
  };
}
