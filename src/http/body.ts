import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { ArangoError } from '../errors/index.ts';

/** Deepest nesting of arrays/objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

const EMPTY = Buffer.alloc(0);

/**
 * The bytes of request bodies being buffered by all requests at once (`--http.max-buffered-bytes`).
 * Bodies are read into memory before they are used, and unauthenticated routes (Foxx services)
 * read them too: without a global cap, parallel large uploads could exhaust the process.
 */
export class BodyBudget {
  readonly #maxBytes: number;
  #usedBytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Takes `n` bytes; false (taking nothing) when that would exceed the cap. */
  tryAcquire(n: number): boolean {
    if (this.#usedBytes + n > this.#maxBytes) return false;
    this.#usedBytes += n;
    return true;
  }

  release(n: number): void {
    this.#usedBytes = Math.max(0, this.#usedBytes - n);
  }

  get usedBytes(): number {
    return this.#usedBytes;
  }
}

/** Bodies up to this size do not count against the budget: small requests keep being served during a flood of large ones. */
const UNBUDGETED_BYTES = 64 * 1024;

function overloaded(): ArangoError {
  return new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'too many request bodies are being received, try again later');
}

/**
 * Reads a request body, refusing more than `limit` bytes with 413 (also when Content-Length says
 * so) and answering 503 when the bytes all requests buffer would exceed `budget`. The bytes taken
 * from the budget are returned to it by `release` (call it once the request is answered).
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): { body: Promise<Buffer>; release: () => void } {
  let held = 0;
  const release = (): void => {
    budget?.release(held);
    held = 0;
  };
  const take = (n: number, size: number): boolean => {
    if (size <= UNBUDGETED_BYTES) return true;
    if (budget && !budget.tryAcquire(n)) return false;
    held += n;
    return true;
  };
  // no Content-Length and no chunked encoding: HTTP/1.1 says there is no body, so don't wait for 'end'
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return { body: Promise.resolve(EMPTY), release };
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return { body: Promise.reject(new ArangoError('ERROR_HTTP_REQUEST_ENTITY_TOO_LARGE', `request body larger than ${limit} bytes`)), release };
  }
  // a declared length is reserved up front, so a refused upload is not read at all
  const reserved = Number.isFinite(declared) && declared > 0 ? declared : 0;
  if (reserved > 0 && !take(reserved, reserved)) {
    req.resume();
    return { body: Promise.reject(overloaded()), release };
  }
  const body = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (err: ArangoError): void => {
      failed = true;
      chunks.length = 0;
      release();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        fail(new ArangoError('ERROR_HTTP_REQUEST_ENTITY_TOO_LARGE', `request body larger than ${limit} bytes`));
        return;
      }
      // beyond what was reserved (chunked, or more than declared): take the rest as it comes
      if (size > UNBUDGETED_BYTES && size > held && !take(size - held, size)) {
        fail(overloaded());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) fail(new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'error reading request body', { cause: err }));
    });
  });
  return { body, release };
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
