import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { ArangoError } from '../errors/index.ts';

/** Deepest nesting of arrays/objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

/** Reads a request body, refusing more than `limit` bytes with 413 (also when Content-Length says so). */
const EMPTY = Buffer.alloc(0);

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // no Content-Length and no chunked encoding: HTTP/1.1 says there is no body, so don't wait for 'end'
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Promise.resolve(EMPTY);
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return Promise.reject(new ArangoError('ERROR_HTTP_REQUEST_ENTITY_TOO_LARGE', `request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new ArangoError('ERROR_HTTP_REQUEST_ENTITY_TOO_LARGE', `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'error reading request body', { cause: err }));
    });
  });
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
