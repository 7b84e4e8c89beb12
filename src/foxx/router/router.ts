import { ALL_METHODS, Endpoint, MiddlewareMount, RouterMount, type Handler, type MiddlewareFunction, type MiddlewareObject } from './endpoint.ts';
import { SwaggerContext } from './swagger-context.ts';

type RouteArgs = ReadonlyArray<unknown>;

/**
 * `router.get([path], [...middleware], handler, [name])` and friends: registers an Endpoint.
 * `path` defaults to `/`; a trailing string names the route (for `req.reverse`).
 */
export interface RouteMethod {
  (handler: Handler, name?: string): Endpoint;
  (path: string, handler: Handler, name?: string): Endpoint;
  (path: string, ...args: Array<MiddlewareFunction | Handler | string>): Endpoint;
}

function isMiddlewareObject(x: unknown): x is MiddlewareObject {
  return typeof x === 'object' && x !== null && typeof (x as { register?: unknown }).register === 'function';
}

/**
 * `@arangodb/foxx/router`'s Router: routes by method and path, child routers and middleware via
 * `use()`, plus router-wide metadata (inherited by its routes). Pure: no I/O.
 */
export class Router extends SwaggerContext {
  /** Endpoints and mounted child routers, in registration order. */
  readonly routes: Array<Endpoint | RouterMount> = [];
  /** Middleware mounts, in registration order. */
  readonly middleware: MiddlewareMount[] = [];
  /** Named endpoints and child routers (for `req.reverse`). */
  readonly namedRoutes = new Map<string, Endpoint | RouterMount>();

  readonly get: RouteMethod = (...args: RouteArgs) => this.route(['GET'], args);
  readonly post: RouteMethod = (...args: RouteArgs) => this.route(['POST'], args);
  readonly put: RouteMethod = (...args: RouteArgs) => this.route(['PUT'], args);
  readonly patch: RouteMethod = (...args: RouteArgs) => this.route(['PATCH'], args);
  readonly delete: RouteMethod = (...args: RouteArgs) => this.route(['DELETE'], args);
  readonly head: RouteMethod = (...args: RouteArgs) => this.route(['HEAD'], args);
  readonly options: RouteMethod = (...args: RouteArgs) => this.route(['OPTIONS'], args);
  readonly all: RouteMethod = (...args: RouteArgs) => this.route(ALL_METHODS, args);

  /**
   * `router.use([path], routerOrMiddleware, [name])`: mounts a child router (returns its mount,
   * which takes metadata) or middleware (function or `{register}`) below `path`.
   */
  use(target: Router, name?: string): RouterMount;
  use(path: string, target: Router, name?: string): RouterMount;
  use(target: MiddlewareFunction | MiddlewareObject): MiddlewareMount;
  use(path: string, target: MiddlewareFunction | MiddlewareObject): MiddlewareMount;
  use(...args: RouteArgs): RouterMount | MiddlewareMount;
  use(...args: RouteArgs): RouterMount | MiddlewareMount {
    const list = [...args];
    const path = typeof list[0] === 'string' ? (list.shift() as string) : '/';
    const target = list.shift();
    const name = typeof list[0] === 'string' ? list[0] : undefined;
    if (target instanceof Router) {
      const mount = new RouterMount(path, target, name);
      this.routes.push(mount);
      if (name !== undefined) this.namedRoutes.set(name, mount);
      return mount;
    }
    if (typeof target === 'function' || isMiddlewareObject(target)) {
      const mount = new MiddlewareMount(path, target as MiddlewareFunction | MiddlewareObject);
      this.middleware.push(mount);
      return mount;
    }
    throw new TypeError('router.use() expects a router or a middleware function');
  }

  private route(methods: readonly string[], args: RouteArgs): Endpoint {
    const list = [...args];
    const path = typeof list[0] === 'string' ? (list.shift() as string) : '/';
    const name = typeof list[list.length - 1] === 'string' ? (list.pop() as string) : undefined;
    const fns = list.filter((x): x is (...a: never[]) => unknown => typeof x === 'function');
    const handler = fns.pop();
    if (handler === undefined || fns.length !== list.length - 1) throw new TypeError(`Route ${methods.join('|')} ${path} needs a handler function`);
    const endpoint = new Endpoint(methods, path, handler as Handler, fns as MiddlewareFunction[], name);
    this.routes.push(endpoint);
    if (name !== undefined) this.namedRoutes.set(name, endpoint);
    return endpoint;
  }
}

/** `require('@arangodb/foxx/router')()`: a fresh router. */
export function createRouter(): Router {
  return new Router();
}
