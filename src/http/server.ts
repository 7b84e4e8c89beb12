import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Authenticator, UserStore } from '../auth/index.ts';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { RequestContext, type HttpReply } from './context.ts';
import { sendError } from './error-response.ts';
import type { Router } from './router.ts';

/**
 * Runs before authentication for every request (ArangoDB checks the server mode first,
 * shared/spec/active-failover.md §2.1): may answer the request itself (a follower's 503 +
 * X-Arango-Endpoint) by throwing, or mark the response (dirty read header).
 */
export type RequestGate = (req: IncomingMessage, res: ServerResponse, path: string) => void;

export interface HttpServerDeps {
  readonly router: Router;
  readonly engine: StorageEngine;
  readonly users: UserStore;
  readonly authenticator: Authenticator;
  readonly authEnabled: boolean;
  readonly maxBodyBytes: number;
  readonly log: Logger;
  gate?: RequestGate;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Creates the HTTP server: database prefix, gate, authentication, routing, replies and errors. */
export function createHttpServer(deps: HttpServerDeps): http.Server {
  const server = http.createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => sendError(res, err, deps.log));
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  return server;
}

async function handle(deps: HttpServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
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
  const method = req.method ?? 'GET';
  const match = deps.router.match(method, path);
  if (match.kind === 'not-found') throw new ArangoError('ERROR_HTTP_NOT_FOUND', `unknown path '${path}'`);
  if (match.kind === 'method-not-allowed') throw new ArangoError('ERROR_HTTP_METHOD_NOT_ALLOWED');
  let principal = null;
  if (!match.options.open) {
    if (deps.authEnabled) {
      principal = deps.authenticator.authenticate(req.headers.authorization);
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
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
    principal,
    users: deps.users,
    maxBodyBytes: deps.maxBodyBytes,
    log: deps.log,
  });
  ctx.params = match.params;
  if (!match.options.open && !match.options.anyDatabase && deps.authEnabled && ctx.databaseLevel() === 'none') {
    throw new ArangoError('ERROR_FORBIDDEN', 'not authorized to execute this request', { httpStatus: 401 });
  }
  const reply = await match.handler(ctx);
  if (!res.writableEnded) send(res, reply, method === 'HEAD');
}

/** Writes a handler's reply: objects as JSON, `raw` bytes as given, nothing for HEAD and 204. */
export function send(res: ServerResponse, reply: HttpReply, isHead: boolean): void {
  let body: Buffer | undefined;
  if (reply.raw) body = reply.raw;
  else if (reply.body !== undefined && reply.status !== 204) body = Buffer.from(JSON.stringify(reply.body));
  const headers: Record<string, string | number> = { ...reply.headers };
  if (body) {
    headers['content-type'] ??= JSON_TYPE;
    headers['content-length'] = body.length;
  } else if (reply.status !== 204) headers['content-length'] = 0;
  res.writeHead(reply.status, headers);
  res.end(isHead ? undefined : body);
}
