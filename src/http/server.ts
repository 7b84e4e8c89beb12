import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { Authenticator, UserStore } from '../auth/index.ts';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { RequestContext, type HttpReply } from './context.ts';
import { BodyBudget, checkUrlUtf8 } from './body.ts';
import { clientAddressOf } from './client-address.ts';
import { sendError, sendParseError } from './error-response.ts';
import { currentQueueTime, queueTimeHeader } from '../common/queue-time.ts';
import type { Router } from './router.ts';

/**
 * Runs before authentication for every request (ArangoDB checks the server mode first,
 * shared/spec/active-failover.md §2.1): may answer the request itself (a follower's 503 +
 * X-Arango-Endpoint) by throwing, or mark the response (dirty read header).
 */
export type RequestGate = (req: IncomingMessage, res: ServerResponse, path: string) => void;

/** Certificate and key (one PEM, as ArangoDB's `--ssl.keyfile`) and the CAs client certificates are checked against. */
export interface ServerTls {
  readonly keyAndCert: string;
  readonly ca?: string;
}

export interface HttpServerDeps {
  readonly router: Router;
  readonly engine: StorageEngine;
  readonly users: UserStore;
  readonly authenticator: Authenticator;
  readonly authEnabled: boolean;
  readonly maxBodyBytes: number;
  /** The process's budget for buffered request bodies (`bodyBudgetOf(config)`; absent: no cap, default idle timeout). */
  readonly bodyBudget?: BodyBudget;
  readonly log: Logger;
  /** Serve HTTPS with this certificate and key (PEM); absent = plain HTTP. */
  readonly tls?: ServerTls;
  gate?: RequestGate;
  /**
   * Runs after a successful non-GET handler, before the reply is sent (active failover: wait for
   * sync followers, re-check the leader fence). Throwing turns the reply into that error.
   */
  afterWrite?: (req: IncomingMessage, method: string, path: string) => Promise<void>;
}

/**
 * TLS 1.3 with AES-128-GCM preferred (hardware-accelerated and the cheapest per record of the
 * standard suites; clients offering only others still get them), and session tickets for
 * cheap reconnects.
 */
const TLS_TUNING = {
  minVersion: 'TLSv1.2',
  ciphers: `TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:${tls.DEFAULT_CIPHERS}`,
  honorCipherOrder: true,
} satisfies https.ServerOptions;

const JSON_TYPE = 'application/json; charset=utf-8';
const SMALL_BODY_BYTES = 16 * 1024;

/** Creates the HTTP server: database prefix, gate, authentication, routing, replies and errors. */
export function createHttpServer(deps: HttpServerDeps): http.Server {
  const budget = deps.bodyBudget ?? new BodyBudget({ maxBytes: Number.POSITIVE_INFINITY });
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, budget, req, res).catch((err: unknown) => sendError(res, err, deps.log));
  };
  return createListener(onRequest, deps.tls);
}

/** Server TLS from `--ssl.keyfile` / `--ssl.cafile` (undefined when no key file is set: plain HTTP). */
export function serverTlsOf(keyfile: string, cafile: string): ServerTls | undefined {
  if (keyfile === '') return undefined;
  return { keyAndCert: fs.readFileSync(keyfile, 'utf8'), ...(cafile !== '' ? { ca: fs.readFileSync(cafile, 'utf8') } : {}) };
}

/**
 * The node HTTP server (HTTPS with `tls`) with kitsune's timeouts and parse-error answers; the
 * coordinator's listener is one too.
 */
export function createListener(onRequest: (req: IncomingMessage, res: ServerResponse) => void, serverTls?: ServerTls): http.Server {
  // ArangoDB's --ssl.keyfile holds certificate and key in one PEM file: each reader takes its blocks
  const server: http.Server = serverTls
    ? https.createServer({ key: serverTls.keyAndCert, cert: serverTls.keyAndCert, ...(serverTls.ca ? { ca: serverTls.ca } : {}), ...TLS_TUNING }, onRequest)
    : http.createServer(onRequest);
  server.on('clientError', (err: Error, socket) => sendParseError(socket, err));
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  return server;
}

async function handle(deps: HttpServerDeps, budget: BodyBudget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  checkUrlUtf8(url);
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  let database = '_system';
  if (path.startsWith('/_db/')) {
    const end = path.indexOf('/', 5);
    const raw = end === -1 ? path.slice(5) : path.slice(5, end);
    try {
      database = decodeURIComponent(raw);
    } catch {
      throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid database name encoding');
    }
    path = end === -1 ? '/' : path.slice(end);
  }
  deps.gate?.(req, res, path);
  checkQueueTime(req.headers['x-arango-queue-time-seconds']);
  const method = req.method ?? 'GET';
  const match = deps.router.match(method, path);
  if (match.kind === 'not-found') throw new ArangoError('ERROR_HTTP_NOT_FOUND', `unknown path '${path}'`);
  if (match.kind === 'method-not-allowed') throw new ArangoError('ERROR_HTTP_METHOD_NOT_ALLOWED');
  let principal = null;
  if (!match.options.open) {
    if (deps.authEnabled) {
      principal = await deps.authenticator.authenticate(req.headers.authorization, clientAddressOf(req));
      if (!principal) throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request', { httpStatus: 401 });
    }
    if (!deps.engine.hasDatabase(database)) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
  }
  const ctx = new RequestContext({
    req,
    res,
    method,
    path,
    database,
    queryString: q === -1 ? '' : url.slice(q + 1),
    principal,
    users: deps.users,
    maxBodyBytes: deps.maxBodyBytes,
    bodyBudget: budget,
    log: deps.log,
  });
  ctx.params = match.params;
  if (!match.options.open && !match.options.anyDatabase && deps.authEnabled && ctx.databaseLevel() === 'none') {
    throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request', { httpStatus: 401 });
  }
  const reply = await match.handler(ctx);
  if (deps.afterWrite && method !== 'GET' && method !== 'HEAD' && reply.status < 400 && !res.headersSent) await deps.afterWrite(req, method, path);
  if (!res.writableEnded) send(res, reply, method === 'HEAD');
}

/** ArangoDB's overload control: a client's `x-arango-queue-time-seconds` is the longest it accepts. */
function checkQueueTime(limit: string | string[] | undefined): void {
  if (typeof limit !== 'string') return;
  const max = Number(limit);
  if (!(max > 0)) return;
  const current = currentQueueTime();
  if (current > max) throw new ArangoError('ERROR_QUEUE_TIME_REQUIREMENT_VIOLATED', `queue time ${current.toFixed(3)} s exceeds the requested ${max} s`);
}

/** Writes a handler's reply: objects as JSON, `raw` bytes as given, nothing for HEAD and 204. */
export function send(res: ServerResponse, reply: HttpReply, isHead: boolean): void {
  let body: Buffer | undefined;
  if (reply.raw) body = reply.raw;
  else if (reply.body !== undefined && reply.status !== 204) body = Buffer.from(JSON.stringify(reply.body));
  const headers: string[] = ['x-arango-queue-time-seconds', queueTimeHeader()];
  let hasType = false;
  if (reply.headers) {
    for (const k in reply.headers) {
      if (k === 'content-type') hasType = true;
      headers.push(k, reply.headers[k] as string);
    }
  }
  if (body) {
    if (!hasType) headers.push('content-type', JSON_TYPE);
    headers.push('content-length', String(body.length));
  } else if (reply.status !== 204) headers.push('content-length', '0');
  res.writeHead(reply.status, headers);
  if (isHead || !body) res.end();
  // small bodies as latin1 text (byte-preserving): node then sends headers and body in one
  // write instead of a writev of two buffers, which is measurably cheaper per request
  else if (body.length <= SMALL_BODY_BYTES) res.end(body.toString('latin1'), 'latin1');
  else res.end(body);
}
