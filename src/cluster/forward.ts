import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArangoError, errorNameOf } from '../errors/index.ts';
import { CLIENT_HEADER, forwardedClientHeader } from '../http/index.ts';
import { withBody, type BodyBudget } from '../http/body.ts';
import { peerRequest } from './peer-http.ts';

const SMALL_BODY_BYTES = 16 * 1024;

/** How a coordinator buffers request bodies: at most `maxBodyBytes` each (413), all within `budget` (503). */
export interface BodyLimits {
  readonly maxBodyBytes: number;
  readonly budget: BodyBudget;
}
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Why a forwarded request got no answer for the client: `refused` = it provably never reached the
 * DB-server (connection refused, or the connection broke before the whole request was handed to the
 * OS); `not-leader` = the DB-server's gate refused it before any handler ran (503 with
 * `x-arango-endpoint`, its answer dropped); `lost` = the connection broke after the request was sent
 * and before any byte of the answer (a write may or may not have happened).
 */
export type ForwardFailure = 'refused' | 'not-leader' | 'lost';

/**
 * Forwards a client request unchanged (method, path, headers including the client's Authorization,
 * body) to `target` (`http(s)://host:port`) and streams the answer back. The DB-server authenticates
 * and authorises it as a single server would. `body`: the request body already read (`null`: none),
 * or `undefined` to stream it from `req` (such a request cannot be sent twice). Resolves `null` once
 * answered, or the reason nothing was sent to the client (the caller may retry elsewhere).
 */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, target: string, urlPath: string, body?: Buffer | null): Promise<ForwardFailure | null> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  if (body instanceof Buffer) headers['content-length'] = String(body.length);
  withClient(headers, req);
  return new Promise<ForwardFailure | null>((resolve) => {
    let sent = false;
    const up = peerRequest(target, { pool: 'forward', maxSockets: 256, method: req.method ?? 'GET', path: urlPath, headers }, (answer) => {
      if (answer.statusCode === 503 && answer.headers['x-arango-endpoint'] !== undefined) {
        // the gate of a DB-server that does not lead this database (an old plan): nothing ran there
        answer.resume();
        resolve('not-leader');
        return;
      }
      const out: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const k = answer.rawHeaders[i] ?? '';
        if (!HOP_BY_HOP.has(k.toLowerCase())) out.push(k, answer.rawHeaders[i + 1] ?? '');
      }
      const length = Number(answer.headers['content-length']);
      if (length >= 0 && length <= SMALL_BODY_BYTES) {
        // small answers (most document reads) leave in one write, headers and body together
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.once('end', () => {
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(chunks.length === 1 ? (chunks[0] as Buffer).toString('latin1') : Buffer.concat(chunks).toString('latin1'), 'latin1');
          resolve(null);
        });
        answer.once('error', () => {
          res.destroy();
          resolve(null);
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.once('end', () => resolve(null));
      answer.once('error', () => resolve(null));
    });
    up.once('finish', () => (sent = true));
    up.once('error', (cause: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        resolve(null);
      } else resolve(cause.code === 'ECONNREFUSED' || !sent ? 'refused' : 'lost');
    });
    if (body instanceof Buffer) up.end(body);
    else if (body === null || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) up.end();
    else req.pipe(up);
  });
}

/**
 * Sets the signed client address of `req` (see `http/client-address.ts`), replacing whatever the
 * client sent, so the DB-server limits failed logins per client and not per coordinator.
 */
export function withClient(headers: Record<string, string | string[]>, req: IncomingMessage | undefined): void {
  const client = req === undefined ? undefined : forwardedClientHeader(req);
  if (client === undefined) delete headers[CLIENT_HEADER];
  else headers[CLIENT_HEADER] = client;
}

/**
 * A JSON request from the coordinator to a DB-server; resolves with status and parsed body. `onBehalfOf`:
 * the client request it serves, whose address travels along (signed) when its credentials are used.
 */
export async function callServer(target: string, method: string, urlPath: string, authorization: string | undefined, body?: unknown, onBehalfOf?: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers['authorization'] = authorization;
  withClient(headers, onBehalfOf);
  const res = await fetch(`${target}${urlPath}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(10_000) }).catch(
    (cause: unknown) => {
      throw new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `DB-server ${target} cannot be reached`, { cause });
    },
  );
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** Re-throws a DB-server's error answer as the same ArangoDB error for the client. */
export function relayError(status: number, body: unknown): never {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const errorNum = typeof b['errorNum'] === 'number' ? b['errorNum'] : status;
  const message = typeof b['errorMessage'] === 'string' ? b['errorMessage'] : `DB-server answered ${status}`;
  throw new ArangoError(errorNameOf(errorNum) ?? 'ERROR_INTERNAL', message, { httpStatus: status });
}

/** A DB-server's whole answer, as {@link forwardBuffered} returns it. */
export interface BufferedAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly raw: Buffer;
  readonly type: string;
}

/**
 * Forwards like {@link forwardRequest} but returns the answer (status, JSON body or null) instead of
 * streaming it. The body is read first, within `limits` (the leader authenticates it only then).
 * `send` picks the leader and repeats the request across a failover (`retryOnFailover`); each try
 * resolves the answer, or why there was none.
 */
export async function forwardBuffered(
  req: IncomingMessage,
  urlPath: string,
  limits: BodyLimits,
  send: (attempt: (endpoint: string) => Promise<{ value: BufferedAnswer } | ForwardFailure>) => Promise<BufferedAnswer>,
): Promise<BufferedAnswer> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP_BY_HOP.has(k) && k !== 'content-length') headers[k] = v;
  withClient(headers, req);
  return withBody(req, limits.maxBodyBytes, limits.budget, (body) => send((target) => fetchAnswer(`${target}${urlPath}`, req.method ?? 'GET', headers, body)));
}

/** One buffered request to a DB-server: its answer, `not-leader` (its gate refused), `refused` or `lost`. */
export async function fetchAnswer(url: string, method: string, headers: Record<string, string>, body: Buffer): Promise<{ value: BufferedAnswer } | ForwardFailure> {
  let answer: Response;
  try {
    answer = await fetch(url, { method, headers, ...(body.length > 0 ? { body } : {}) });
  } catch (err) {
    return (err as { cause?: { code?: unknown } }).cause?.code === 'ECONNREFUSED' ? 'refused' : 'lost';
  }
  let raw: Buffer;
  try {
    raw = Buffer.from(await answer.arrayBuffer());
  } catch {
    return 'lost';
  }
  // the gate of a DB-server that does not lead this database (an old plan): nothing ran there
  if (answer.status === 503 && answer.headers.get('x-arango-endpoint') !== null) return 'not-leader';
  let parsed: unknown = null;
  try {
    parsed = raw.length === 0 ? null : JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = null;
  }
  return { value: { status: answer.status, body: parsed, raw, type: answer.headers.get('content-type') ?? 'application/json; charset=utf-8' } };
}
