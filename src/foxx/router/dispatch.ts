import { Buffer } from 'node:buffer';
import { isArangoError } from '../../errors/index.ts';
import type { Endpoint, MiddlewareFunction } from './endpoint.ts';
import { HttpError, STATUS_TEXT } from './http-error.ts';
import { formatQueryString, mediaTypeMatches, parseBody, parseQueryString } from './media-type.ts';
import { FoxxRequest } from './request.ts';
import { FoxxResponse, type FileReader, type HeaderValue } from './response.ts';
import { Router } from './router.ts';
import type { ParamDefinition, ResponseDefinition, SwaggerContext } from './swagger-context.ts';
import { buildPath, compileRouter, findNamedRoute, findRoutes, rawPathParams, type RouteItem, type RouteTree } from './tree.ts';

/** A request as plain, structured-cloneable data (it crosses the worker boundary). */
export interface FoxxRequestData {
  readonly method: string;
  /** Path below the service mount (`/hello/world`); may carry `?query`. */
  readonly path: string;
  /** Query string (without `?`) or already parsed parameters. */
  readonly query?: string | Readonly<Record<string, string | string[]>>;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: Uint8Array | null;
  readonly database?: string;
  readonly mount?: string;
  readonly arangoUser?: string | null;
  readonly protocol?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly arangoVersion?: number;
}

/** The response as plain, structured-cloneable data. */
export interface FoxxResponseData {
  status: number;
  headers: Record<string, HeaderValue>;
  body: Uint8Array;
}

/** Runtime hooks for {@link dispatch}. */
export interface DispatchOptions {
  /** `module.context` of the service (exposed as `req.context`/`res.context`). */
  readonly context?: unknown;
  /** File reader behind `res.sendFile`/`res.download`. */
  readonly readFile?: FileReader;
  /** Development mode: pretty JSON, and error bodies carry `exception` and `stacktrace`. */
  readonly development?: boolean;
}

// ArangoDB's actions.BODYFREE_METHODS: their bodies are never parsed or validated.
const BODYFREE_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'TRACE']);

function normaliseHeaders(headers: FoxxRequestData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const lc = name.toLowerCase();
    out[lc] = Array.isArray(value) ? value.join(lc === 'cookie' ? '; ' : ', ') : value;
  }
  return out;
}

function splitSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const part of path.split('/')) {
    if (part === '') continue;
    try {
      segments.push(decodeURIComponent(part));
    } catch {
      return undefined;
    }
  }
  return segments;
}

function validateParams(defs: ReadonlyMap<string, ParamDefinition>, raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of defs) {
    if (def.schema === undefined) continue;
    const result = def.schema.validate(raw[name]);
    // ArangoDB rethrows joi's error as is, so messages read `"value" must be a number`.
    if (result.error) throw new HttpError(400, result.error.message);
    if (result.value !== undefined) out[name] = result.value;
  }
  return out;
}

function contextsOf(item: RouteItem): SwaggerContext[] {
  if (item.kind === 'router') return item.mount === undefined ? [item.router] : [item.mount, item.router];
  return item.kind === 'middleware' ? [item.middleware] : [item.endpoint];
}

function applyPathParams(route: readonly RouteItem[]): Array<Record<string, unknown>> | undefined {
  const out: Array<Record<string, unknown>> = [];
  for (const item of route) {
    const owner = item.kind === 'router' ? item.mount : item.kind === 'middleware' ? item.middleware : item.endpoint;
    if (owner === undefined) {
      out.push({});
      continue;
    }
    const raw = rawPathParams(owner.pathParamNames, owner.pathTokens, item.path);
    const defs = new Map<string, ParamDefinition>();
    for (const c of contextsOf(item)) for (const [k, v] of c.pathParams) defs.set(k, v);
    const params: Record<string, unknown> = { ...raw };
    let failed = false;
    for (const [name, def] of defs) {
      if (def.schema === undefined || !Object.hasOwn(raw, name)) continue;
      const result = def.schema.validate(raw[name]);
      if (result.error) failed = true;
      else params[name] = result.value;
    }
    // A failing path parameter makes the route not match; middleware only loses its params.
    if (failed && item.kind !== 'middleware') return undefined;
    out.push(failed ? raw : params);
  }
  return out;
}

function validateBody(ctx: SwaggerContext, req: FoxxRequest): void {
  const def = ctx.bodyParam;
  if (def === undefined) return;
  if (def.contentTypes === null) {
    if (req.rawBody.length > 0) throw new HttpError(400, 'Unexpected request body');
    req.body = null;
    return;
  }
  const indicated = req.headers['content-type'];
  const chosen = def.contentTypes.find((t) => mediaTypeMatches(indicated, t)) ?? def.contentTypes[0] ?? 'application/octet-stream';
  let body: unknown;
  try {
    body = parseBody(chosen, req.rawBody);
  } catch (err) {
    throw new HttpError(400, err instanceof Error ? err.message : String(err));
  }
  const schema = def.model?.schema;
  if (schema !== undefined) {
    const result = schema.validate(body);
    if (result.error) throw new HttpError(400, result.error.message.replace(/^"value"/, '"request body"'));
    body = result.value;
  }
  if (def.model?.fromClient !== undefined) body = def.model.fromClient(body);
  req.body = body;
}

async function runChain(tree: RouteTree, route: readonly RouteItem[], params: ReadonlyArray<Record<string, unknown>>, req: FoxxRequest, res: FoxxResponse): Promise<void> {
  const ignoreBody = BODYFREE_METHODS.has(req.method);
  const responseChain: Array<ReadonlyMap<number, ResponseDefinition>> = [];
  let merged = new Map<number, ResponseDefinition>();
  for (const item of route) {
    merged = new Map(merged);
    for (const c of contextsOf(item)) for (const [k, v] of c.responses) merged.set(k, v);
    responseChain.push(merged);
  }
  let pathParams: Record<string, unknown> = {};
  let queryParams: Record<string, unknown> = { ...req.queryParams };

  const run = async (i: number): Promise<void> => {
    const item = route[i];
    if (item === undefined) return;
    const contexts = contextsOf(item);
    for (const ctx of contexts) {
      if (!ignoreBody) validateBody(ctx, req);
      if (ctx.headers.size > 0) validateParams(ctx.headers, req.headers);
    }
    const itemQuery: Record<string, unknown> = {};
    for (const ctx of contexts) if (ctx.queryParams.size > 0) Object.assign(itemQuery, validateParams(ctx.queryParams, req.queryParams));

    const saved = { pathParams: req.pathParams, queryParams: req.queryParams, suffix: req.suffix, path: req.path, reverse: req.reverse, responses: res.responses };
    req.path = `/${item.path.join('/')}`;
    req.suffix = item.suffix.join('/');
    if (req.suffix !== '') req.path = `${req.path.replace(/\/$/, '')}/${req.suffix}`;
    res.responses = responseChain[i] ?? new Map();
    req.reverse = (name, p, suffix) => reverse(tree, name, p, suffix);
    if (item.kind === 'middleware') {
      req.pathParams = { ...pathParams, ...params[i] };
      req.queryParams = { ...queryParams, ...itemQuery };
    } else {
      pathParams = { ...pathParams, ...params[i] };
      queryParams = { ...queryParams, ...itemQuery };
      req.pathParams = pathParams;
      req.queryParams = queryParams;
    }
    try {
      if (item.kind === 'router') await run(i + 1);
      else if (item.kind === 'middleware') await callMiddleware(item.middleware.handler, req, res, () => run(i + 1));
      else await callEndpoint(item.endpoint, req, res);
    } finally {
      Object.assign(req, { pathParams: saved.pathParams, queryParams: saved.queryParams, suffix: saved.suffix, path: saved.path, reverse: saved.reverse });
      res.responses = saved.responses;
    }
  };
  await run(0);
}

async function callMiddleware(fn: MiddlewareFunction, req: FoxxRequest, res: FoxxResponse, downstream: () => Promise<void>): Promise<void> {
  let pending: Promise<void> | undefined;
  const next = (err?: unknown): Promise<void> => {
    if (err !== undefined && err !== null) throw err;
    if (pending === undefined) {
      pending = downstream();
      // Awaited below; this only keeps an early rejection from being reported as unhandled.
      pending.catch(() => undefined);
    }
    return pending;
  };
  await fn(req, res, next);
  if (pending !== undefined) await pending;
}

async function callEndpoint(endpoint: Endpoint, req: FoxxRequest, res: FoxxResponse): Promise<void> {
  const chain = [...endpoint.middleware];
  const step = async (i: number): Promise<void> => {
    const mw = chain[i];
    if (mw === undefined) {
      await endpoint.handler(req, res);
      return;
    }
    await callMiddleware(mw, req, res, () => step(i + 1));
  };
  await step(0);
}

function reverse(tree: RouteTree, name: string, params?: Record<string, unknown> | string, suffix?: string): string {
  let p = params;
  let s = suffix;
  if (typeof p === 'string') {
    s = p;
    p = undefined;
  }
  const chain = findNamedRoute(tree.router, name);
  if (chain === undefined) throw new Error(`Route could not be resolved: "${name}"`);
  const { path, rest } = buildPath(chain, p ?? {});
  let out = path;
  if (s !== undefined && s !== '') out += `${out.endsWith('/') ? '' : '/'}${s}`;
  const query = formatQueryString(rest);
  return query === '' ? out : `${out}?${query}`;
}

/** Compiles a router for repeated dispatching (a router changed later needs compiling again). */
export function compileRoutes(router: Router): RouteTree {
  return compileRouter(router);
}

/**
 * Runs one request through a service's root router (ArangoDB's route resolution, validation,
 * middleware chain, handler) and returns plain response data. Handlers may be async.
 * Never rejects: errors become ArangoDB's error body (`{error, code, errorNum, errorMessage}`):
 * errors with `statusCode`/`status` keep it, ArangoErrors keep status and errorNum, anything else
 * is a 500 that keeps its message.
 */
export async function dispatch(root: Router | RouteTree, request: FoxxRequestData, options: DispatchOptions = {}): Promise<FoxxResponseData> {
  const tree = root instanceof Router ? compileRouter(root) : root;
  const development = options.development === true;
  const method = request.method.toUpperCase();
  const qIndex = request.path.indexOf('?');
  const servicePath = qIndex === -1 ? request.path : request.path.slice(0, qIndex);
  let search = qIndex === -1 ? '' : request.path.slice(qIndex);
  let queryParams: Record<string, unknown>;
  if (typeof request.query === 'string') {
    const q = request.query.replace(/^\?/, '');
    search = q === '' ? search : `?${q}`;
    queryParams = parseQueryString(q);
  } else if (request.query !== undefined) {
    queryParams = { ...request.query };
    const q = formatQueryString(request.query);
    search = q === '' ? search : `?${q}`;
  } else {
    queryParams = parseQueryString(search.replace(/^\?/, ''));
  }
  const headers = normaliseHeaders(request.headers);
  const body = request.body ?? new Uint8Array(0);
  const req = new FoxxRequest({
    method,
    database: request.database ?? '_system',
    mount: request.mount ?? '',
    servicePath: servicePath === '' ? '/' : servicePath,
    search,
    headers,
    queryParams,
    rawBody: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    context: options.context,
    arangoUser: request.arangoUser ?? null,
    protocol: request.protocol ?? 'http',
    hostname: request.hostname ?? 'localhost',
    port: request.port ?? 8529,
    remoteAddress: request.remoteAddress ?? '127.0.0.1',
    remotePort: request.remotePort ?? 0,
    arangoVersion: request.arangoVersion ?? 31200,
  });
  const res = new FoxxResponse(options.context, options.readFile, development);

  try {
    const segments = splitSegments(servicePath);
    if (segments === undefined) throw new HttpError(400, 'invalid URL-encoding in path');
    let notFound = false;
    const allowed = new Set<string>();
    let matched: { route: RouteItem[]; params: Array<Record<string, unknown>> } | undefined;
    for (const route of findRoutes(tree, segments)) {
      const last = route[route.length - 1];
      if (last?.kind !== 'endpoint') continue;
      const params = applyPathParams(route);
      if (params === undefined) {
        notFound = true;
        continue;
      }
      const methods = last.endpoint.methods;
      if (!methods.includes(method) && !(method === 'HEAD' && methods.includes('GET'))) {
        for (const m of methods) allowed.add(m);
        continue;
      }
      matched = { route, params };
      break;
    }
    if (matched === undefined) {
      if (allowed.size > 0) throw new HttpError(405, undefined, { headers: { allow: [...allowed].sort().join(', ') } });
      if (notFound) throw new HttpError(404);
      throw new HttpError(404, `unknown path '${req.originalUrl.split('?')[0] ?? ''}'`);
    }
    await runChain(tree, matched.route, matched.params, req, res);
    return finish(req, res);
  } catch (err) {
    return errorResponse(err, req, development);
  }
}

function finish(req: FoxxRequest, res: FoxxResponse): FoxxResponseData {
  const headers: Record<string, HeaderValue> = { ...res.headers };
  let body: Buffer;
  if (res.body === undefined || res.body === null) body = Buffer.alloc(0);
  else if (typeof res.body === 'string') body = Buffer.from(res.body, 'utf8');
  else if (Buffer.isBuffer(res.body)) body = res.body;
  else body = Buffer.from(String(res.body));
  const hasBody = res.body !== undefined && res.body !== null;
  const status = res.statusCode ?? (hasBody ? 200 : 204);
  if (hasBody && headers['content-type'] === undefined) headers['content-type'] = 'application/json; charset=utf-8';
  exposeHeaders(req, headers);
  return { status, headers, body: req.method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
}

// With an Origin header Foxx exposes every response header to browsers unless the service chose.
function exposeHeaders(req: FoxxRequest, headers: Record<string, HeaderValue>): void {
  if (req.headers.origin === undefined || headers['access-control-expose-headers'] !== undefined) return;
  const names = new Set([...Object.keys(headers), 'server', 'content-length']);
  headers['access-control-expose-headers'] = [...names].sort().join(', ');
}

function errorResponse(err: unknown, req: FoxxRequest, development: boolean): FoxxResponseData {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const statusOf = (x: unknown): number | undefined => (typeof x === 'number' && Number.isInteger(x) && x >= 400 && x <= 599 ? x : undefined);
  let status = statusOf(e.statusCode) ?? statusOf(e.status);
  let errorNum: number | undefined = typeof e.errorNum === 'number' ? e.errorNum : undefined;
  if (status === undefined && isArangoError(err)) status = err.httpStatus;
  if (status === undefined && errorNum !== undefined) status = statusOf(e.httpStatus) ?? statusOf(e.code) ?? 500;
  status ??= 500;
  errorNum ??= status;
  const message = err instanceof Error ? err.message : typeof e.message === 'string' ? e.message : String(err);
  const body: Record<string, unknown> = {
    ...(typeof e.extra === 'object' && e.extra !== null ? (e.extra as Record<string, unknown>) : {}),
    error: true,
    errorNum,
    errorMessage: message === '' ? STATUS_TEXT[status] ?? 'Unknown error' : message,
    code: status,
  };
  if (development && err instanceof Error) {
    body.exception = String(err);
    body.stacktrace = (err.stack ?? '').split('\n').slice(1).map((l) => l.trim());
  }
  const headers: Record<string, HeaderValue> = { 'content-type': 'application/json; charset=utf-8' };
  if (typeof e.headers === 'object' && e.headers !== null) {
    for (const [k, v] of Object.entries(e.headers as Record<string, unknown>)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  }
  exposeHeaders(req, headers);
  const bytes = Buffer.from(JSON.stringify(body));
  return { status, headers, body: req.method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
