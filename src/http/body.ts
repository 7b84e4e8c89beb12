import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { ArangoError } from '../errors/index.ts';
import type { BodyBudget } from './body-budget.ts';

export { BodyBudget, bodyBudgetOf, type BodyBudgetOptions } from './body-budget.ts';

/** Deepest nesting of arrays/objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

const EMPTY = Buffer.alloc(0);

/** Bodies up to this size do not count against the budget: small requests keep being served during a flood of large ones. */
const UNBUDGETED_BYTES = 64 * 1024;
/** After an idle body's 408, the connection is closed at the latest this much later (when no answer closed it). */
const CLOSE_GRACE_MS = 1000;

function tooLarge(limit: number): ArangoError {
  return new ArangoError('ERROR_HTTP_REQUEST_ENTITY_TOO_LARGE', `request body larger than ${limit} bytes`);
}

function overloaded(): ArangoError {
  return new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'too many request bodies are being received, try again later');
}

/**
 * Calls `onIdle` when `req` receives no byte for `ms` (none: never); stops at the end of the body or
 * when the request closes.
 */
function watchIdle(req: IncomingMessage, ms: number | undefined, onIdle: () => void): () => void {
  if (ms === undefined || !Number.isFinite(ms)) return () => undefined;
  const timer = setTimeout(onIdle, ms);
  timer.unref();
  const touch = (): void => void timer.refresh();
  const stop = (): void => {
    clearTimeout(timer);
    req.off('data', touch);
  };
  req.on('data', touch);
  req.once('end', stop);
  req.once('close', stop);
  return stop;
}

/** Discards a refused body as it arrives; a client that stops sending it is disconnected after the idle timeout. */
function drain(req: IncomingMessage, budget: BodyBudget | undefined): void {
  watchIdle(req, budget?.idleTimeoutMs, () => req.destroy());
  req.resume();
}

/**
 * Reads a request body, refusing more than `limit` bytes with 413 (also when Content-Length says
 * so) and answering 503 when the bytes all requests (or this client address) buffer would exceed
 * `budget`. Bytes are taken from the budget as they arrive (a declared length is only checked
 * against what is free, so a refused upload is not buffered at all); `release` returns them (call it
 * once the request is answered). A body that receives no byte for the budget's idle timeout fails
 * with 408 and its connection is closed, which also returns its bytes.
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): { body: Promise<Buffer>; release: () => void } {
  const client = req.socket.remoteAddress ?? '';
  let held = 0;
  const release = (): void => {
    budget?.release(held, client);
    held = 0;
  };
  // no Content-Length and no chunked encoding: HTTP/1.1 says there is no body, so don't wait for 'end'
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return { body: Promise.resolve(EMPTY), release };
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    drain(req, budget);
    return { body: Promise.reject(tooLarge(limit)), release };
  }
  if (declared > UNBUDGETED_BYTES && budget !== undefined && !budget.fits(declared, client)) {
    drain(req, budget);
    return { body: Promise.reject(overloaded()), release };
  }
  const body = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: ArangoError): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      release();
      reject(err);
    };
    // most small bodies came with their headers (`complete`): no timer for them
    if (!req.complete) watchIdle(req, budget?.idleTimeoutMs, () => {
      // the client stopped sending: answer 408 and close (the rest of the body never comes)
      fail(new ArangoError('ERROR_HTTP_REQUEST_TIMEOUT', `no byte of the request body arrived for ${(budget?.idleTimeoutMs ?? 0) / 1000} s`, { headers: { connection: 'close' } }));
      setTimeout(() => req.destroy(), CLOSE_GRACE_MS).unref();
    });
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        fail(tooLarge(limit));
        return;
      }
      // bodies over UNBUDGETED_BYTES count whole, taken as they arrive
      if (size > UNBUDGETED_BYTES && budget !== undefined) {
        if (!budget.tryAcquire(size - held, client)) {
          fail(overloaded());
          return;
        }
        held = size;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once('error', (err) => fail(new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'error reading request body', { cause: err })));
    // the client went away before the end of the body: nothing will follow
    req.once('close', () => fail(new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'the connection closed before the request body was complete')));
  });
  return { body, release };
}

/**
 * Reads the body (as {@link readBody}), hands it to `use` and returns its bytes to the budget once
 * `use` settled: for callers that are done with the bytes when their promise is (a coordinator
 * forwarding a buffered body).
 */
export async function withBody<T>(req: IncomingMessage, limit: number, budget: BodyBudget | undefined, use: (body: Buffer) => Promise<T>): Promise<T> {
  const { body, release } = readBody(req, limit, budget);
  try {
    return await use(await body);
  } finally {
    release();
  }
}

/**
 * Parses JSON, mapping syntax errors, too deep nesting, out-of-range numbers and invalid UTF-8
 * (which would otherwise be replaced by U+FFFD silently) to errorNum 600.
 */
export function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  return parseJsonText(decodeUtf8Body(buf));
}

/** The body as text; throws 600 unless it is valid UTF-8 (ArangoDB refuses such bodies). */
export function decodeUtf8Body(buf: Buffer): string {
  if (!isUtf8(buf)) throw new ArangoError('ERROR_HTTP_CORRUPTED_JSON', 'VPackError error: invalid UTF-8 sequence');
  return buf.toString('utf8');
}

const NEEDS_URL_CHECK = /[%\u0080-\uffff]/;

/**
 * Throws 400 (errorNum 400) when a request URL, raw or percent-decoded, is not valid UTF-8.
 * node hands the request line over as latin1 text, so each char is one byte of the original.
 */
export function checkUrlUtf8(url: string): void {
  if (!NEEDS_URL_CHECK.test(url)) return;
  const bytes: number[] = [];
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 37 && i + 2 < url.length) {
      const hex = Number.parseInt(url.slice(i + 1, i + 3), 16);
      if (!Number.isNaN(hex) && /^[0-9a-fA-F]{2}$/.test(url.slice(i + 1, i + 3))) {
        bytes.push(hex);
        i += 2;
        continue;
      }
    }
    if (c > 0xff) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid UTF-8 in URL');
    bytes.push(c);
  }
  if (!isUtf8(Buffer.from(bytes))) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid UTF-8 in URL');
}

/** Like `parseJsonBody`, for text already decoded (e.g. one line of a JSON-lines body). */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : 'parse error';
    throw new ArangoError('ERROR_HTTP_CORRUPTED_JSON', `VPackError error: ${msg}`);
  }
  checkJsonValue(value, 0);
  return value;
}

function checkJsonValue(v: unknown, depth: number): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ArangoError('ERROR_HTTP_CORRUPTED_JSON', 'VPackError error: number out of range');
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  if (depth >= MAX_JSON_DEPTH) throw new ArangoError('ERROR_HTTP_CORRUPTED_JSON', 'VPackError error: nesting too deep');
  if (Array.isArray(v)) {
    for (const x of v) checkJsonValue(x, depth + 1);
  } else {
    for (const k in v) checkJsonValue((v as Record<string, unknown>)[k], depth + 1);
  }
}
