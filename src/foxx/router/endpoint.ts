import { SwaggerContext } from './swagger-context.ts';
import type { FoxxRequest } from './request.ts';
import type { FoxxResponse } from './response.ts';
import type { Router } from './router.ts';

/** A route handler; may return a Promise (the dispatcher awaits it). */
export type Handler = (req: FoxxRequest, res: FoxxResponse) => unknown;
/** `next(err?)`: runs the rest of the chain; the returned Promise settles when it is done. */
export type NextFunction = (err?: unknown) => Promise<void>;
/** Middleware `(req, res, next)`; may be async. */
export type MiddlewareFunction = (req: FoxxRequest, res: FoxxResponse, next: NextFunction) => unknown;
/** Middleware given as an object whose `register(endpoint)` returns the function. */
export interface MiddlewareObject {
  register(endpoint: MiddlewareMount): MiddlewareFunction;
}

/** Path tokens: literal segments, parameters, the trailing wildcard and the end of a route. */
export const PARAM = Symbol('param');
export const WILDCARD = Symbol('wildcard');
export const TERMINAL = Symbol('terminal');
/** One token of a tokenised route path. */
export type PathToken = string | typeof PARAM | typeof WILDCARD | typeof TERMINAL;

/** A tokenised path with the names of its parameters, in order. */
export interface TokenisedPath {
  readonly tokens: readonly PathToken[];
  readonly paramNames: readonly string[];
}

/**
 * Tokenises a route path: `/users/:id/*` → `['users', PARAM, WILDCARD]`. Paths without a trailing
 * `*` end with TERMINAL unless `prefix` (for `use()`, which always matches below its path).
 * Throws when `*` is not the last segment.
 */
export function tokenisePath(path: string, prefix: boolean): TokenisedPath {
  const parts = path.split('/').filter((p) => p !== '');
  const tokens: PathToken[] = [];
  const paramNames: string[] = [];
  parts.forEach((part, i) => {
    if (part === '*') {
      if (i !== parts.length - 1) throw new Error(`Wildcard must be the last segment of route path "${path}"`);
      tokens.push(WILDCARD);
    } else if (part.startsWith(':') && part.length > 1) {
      tokens.push(PARAM);
      paramNames.push(part.slice(1));
    } else {
      tokens.push(part);
    }
  });
  if (tokens[tokens.length - 1] !== WILDCARD) tokens.push(prefix ? WILDCARD : TERMINAL);
  return { tokens, paramNames };
}

/** HTTP methods a route answers; `all` means every one of these. */
export const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

/** A route: methods, path, handler (after its own middleware) and metadata. Chainable. */
export class Endpoint extends SwaggerContext {
  readonly kind = 'endpoint' as const;
  readonly methods: readonly string[];
  readonly path: string;
  readonly pathTokens: readonly PathToken[];
  readonly pathParamNames: readonly string[];
  readonly handler: Handler;
  readonly middleware: readonly MiddlewareFunction[];
  readonly name: string | undefined;

  constructor(methods: readonly string[], path: string, handler: Handler, middleware: readonly MiddlewareFunction[], name: string | undefined) {
    super();
    this.methods = methods;
    this.path = path;
    const t = tokenisePath(path, false);
    this.pathTokens = t.tokens;
    this.pathParamNames = t.paramNames;
    this.handler = handler;
    this.middleware = middleware;
    this.name = name;
  }
}

/** A child router mounted with `router.use([path], childRouter, [name])`. Chainable metadata. */
export class RouterMount extends SwaggerContext {
  readonly kind = 'router' as const;
  readonly path: string;
  readonly pathTokens: readonly PathToken[];
  readonly pathParamNames: readonly string[];
  readonly router: Router;
  readonly name: string | undefined;

  constructor(path: string, router: Router, name: string | undefined) {
    super();
    this.path = path;
    const t = tokenisePath(path, true);
    this.pathTokens = t.tokens;
    this.pathParamNames = t.paramNames;
    this.router = router;
    this.name = name;
  }
}

/** Middleware mounted with `router.use([path], middleware)`. Chainable metadata. */
export class MiddlewareMount extends SwaggerContext {
  readonly kind = 'middleware' as const;
  readonly path: string;
  readonly pathTokens: readonly PathToken[];
  readonly pathParamNames: readonly string[];
  readonly handler: MiddlewareFunction;

  constructor(path: string, middleware: MiddlewareFunction | MiddlewareObject) {
    super();
    this.path = path;
    const t = tokenisePath(path, true);
    this.pathTokens = t.tokens;
    this.pathParamNames = t.paramNames;
    this.handler = typeof middleware === 'function' ? middleware : middleware.register(this);
  }
}
