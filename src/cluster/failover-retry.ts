import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ArangoError, isArangoError } from '../errors/index.ts';
import { readBody } from '../http/body.ts';
import { forwardRequest, type BodyLimits, type ForwardFailure } from './forward.ts';

/** Bodies up to this size are read before forwarding, so the request can be sent again after a failover. */
const RETRY_BODY_BYTES = 1024 * 1024;
/** Longest wait for a plan change before the same leader is tried again. */
const RECHECK_MS = 250;

/** What {@link forwardWithFailover} needs from the coordinator. */
export interface FailoverDeps {
  /** The endpoint of the database's current leader (throws 1228 unknown database, 1478 leader not live). */
  leaderEndpoint(database: string): Promise<string>;
  /** Asks for a plan refresh and resolves after the next completed one, or after `timeoutMs`. */
  planRefresh(timeoutMs: number): Promise<void>;
  /** Milliseconds a request may wait for a failover (`--cluster.failover-retry-timeout`). */
  readonly timeoutMs: number;
  /** The coordinator's cap and budget for the bodies it reads before forwarding. */
  readonly bodies: BodyLimits;
  readonly log: Logger;
}

/**
 * Forwards a request to its database's leader and, when that leader is gone or refuses (it does not
 * lead any more), waits for the failover the plan records in etcd and sends it to the new leader,
 * for at most `timeoutMs`. Repeated are only requests that may run twice or provably did not run:
 * reads (GET, HEAD, OPTIONS) after any failure before the first byte of an answer; other methods only
 * when the request never reached the leader (connection refused, not fully sent) or its gate refused
 * it. A write whose connection broke after it was sent answers 503 errorNum 1465 (it may have
 * happened); a request still without leader at the deadline answers 503 errorNum 1478.
 */
export async function forwardWithFailover(d: FailoverDeps, req: IncomingMessage, res: ServerResponse, database: string, url: string): Promise<void> {
  // most requests (reads) have no body: no extra await for them
  const declared = req.headers['content-length'];
  if (declared === undefined && req.headers['transfer-encoding'] === undefined) return forwardWithRetries(d, req, res, database, url, null);
  const read = readSmallBody(req, declared, d.bodies);
  try {
    return await forwardWithRetries(d, req, res, database, url, await read.body);
  } finally {
    read.release();
  }
}

/** The attempts of {@link forwardWithFailover} with the body read (`undefined`: streamed, sent once). */
function forwardWithRetries(d: FailoverDeps, req: IncomingMessage, res: ServerResponse, database: string, url: string, body: Buffer | null | undefined): Promise<void> {
  return retryOnFailover(d, database, req.method ?? 'GET', body !== undefined, async (endpoint) => {
    const r = await forwardRequest(req, res, endpoint, url, body);
    return r === null ? { value: undefined } : r;
  });
}

/**
 * Runs `attempt` against the database's current leader until it gives an answer, waiting for a
 * failover (plan change in etcd) between attempts, for at most `d.timeoutMs`; `resendable`: the
 * request can be sent again (its body is at hand). The rules of {@link forwardWithFailover}: reads
 * are repeated after any failure, writes only when they provably did not run.
 */
export async function retryOnFailover<T>(d: FailoverDeps, database: string, method: string, resendable: boolean, attempt: (endpoint: string) => Promise<{ value: T } | ForwardFailure>): Promise<T> {
  const idempotent = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  const deadline = Date.now() + d.timeoutMs;
  for (let n = 1; ; n++) {
    let failure: ForwardFailure | 'no-leader';
    let endpoint = '';
    try {
      endpoint = await d.leaderEndpoint(database);
      const r = await attempt(endpoint);
      if (typeof r === 'object') {
        if (n > 1) d.log.info({ database, method, attempt: n, endpoint }, 'request served by the new leader after a failover');
        return r.value;
      }
      failure = r;
    } catch (err) {
      if (!isArangoError(err) || err.errorNum !== 1478) throw err;
      failure = 'no-leader';
    }
    const retryable = (idempotent || failure !== 'lost') && (resendable || failure === 'no-leader');
    const left = deadline - Date.now();
    if (!retryable || left <= 0) {
      d.log.warn({ database, method, attempt: n, endpoint, failure }, 'request failed: its database leader did not answer');
      if (failure === 'lost' && !idempotent) {
        throw new ArangoError('ERROR_CLUSTER_CONNECTION_LOST', `the connection to the leader of database '${database}' broke before it answered; the operation may or may not have been applied`);
      }
      throw new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `the leader of database '${database}' is not available (no failover within ${d.timeoutMs} ms)`);
    }
    if (n === 1) d.log.debug({ database, method, endpoint, failure }, 'leader did not answer, waiting for a failover');
    await d.planRefresh(Math.min(RECHECK_MS, left));
  }
}

/**
 * The request body, read whole (within the coordinator's budget) when it is small (null: none), or
 * `undefined` when it is large and must be streamed (such a request is sent once; the leader checks
 * its size as it arrives). A declared length above the size cap is refused here with 413.
 */
function readSmallBody(req: IncomingMessage, declared: string | undefined, limits: BodyLimits): { body: Promise<Buffer | null | undefined>; release: () => void } {
  const n = Number(declared);
  if (declared !== undefined && n === 0) return { body: Promise.resolve(null), release: () => undefined };
  if (declared === undefined || (n > RETRY_BODY_BYTES && n <= limits.maxBodyBytes)) return { body: Promise.resolve(undefined), release: () => undefined };
  return readBody(req, limits.maxBodyBytes, limits.budget);
}
