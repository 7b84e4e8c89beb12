import { Endpoint, MiddlewareMount, PARAM, RouterMount, TERMINAL, WILDCARD, type PathToken } from './endpoint.ts';
import type { Router } from './router.ts';

/** One trie node: literal children, a parameter child, and what ends or hangs below here. */
interface TrieNode {
  readonly children: Map<string, TrieNode>;
  param: TrieNode | undefined;
  /** Endpoints whose path ends exactly here. */
  readonly terminal: Endpoint[];
  /** Wildcard endpoints and child routers matching anything below here. */
  readonly wildcard: Array<Endpoint | RouterMount>;
  /** Middleware applying to anything below here. */
  readonly middleware: MiddlewareMount[];
}

/** A compiled router: its trie plus the compiled trees of its child routers. */
export interface RouteTree {
  readonly router: Router;
  readonly root: TrieNode;
  readonly children: Map<RouterMount, RouteTree>;
}

/** One step of a resolved route: a router, a middleware or the final endpoint. */
export type RouteItem =
  | { readonly kind: 'router'; readonly router: Router; readonly mount: RouterMount | undefined; readonly path: readonly string[]; readonly suffix: readonly string[] }
  | { readonly kind: 'middleware'; readonly middleware: MiddlewareMount; readonly path: readonly string[]; readonly suffix: readonly string[] }
  | { readonly kind: 'endpoint'; readonly endpoint: Endpoint; readonly path: readonly string[]; readonly suffix: readonly string[] };

function newNode(): TrieNode {
  return { children: new Map(), param: undefined, terminal: [], wildcard: [], middleware: [] };
}

function walk(root: TrieNode, tokens: readonly PathToken[]): TrieNode {
  let node = root;
  for (const token of tokens) {
    if (token === PARAM) {
      node.param ??= newNode();
      node = node.param;
    } else if (typeof token === 'string') {
      let child = node.children.get(token);
      if (child === undefined) {
        child = newNode();
        node.children.set(token, child);
      }
      node = child;
    }
  }
  return node;
}

/**
 * Compiles a router (and its child routers, once per mount) into tries. A router changed after
 * compiling needs compiling again.
 */
export function compileRouter(router: Router): RouteTree {
  const root = newNode();
  const children = new Map<RouterMount, RouteTree>();
  for (const mw of router.middleware) walk(root, mw.pathTokens).middleware.push(mw);
  for (const route of router.routes) {
    const node = walk(root, route.pathTokens);
    const last = route.pathTokens[route.pathTokens.length - 1];
    if (last === TERMINAL) node.terminal.push(route as Endpoint);
    else node.wildcard.push(route);
    if (route instanceof RouterMount) children.set(route, compileRouter(route.router));
  }
  return { router, root, children };
}

/**
 * Yields candidate routes for the path segments in ArangoDB's order: at every level literal
 * segments before parameters, exact routes before wildcard routes and child routers; middleware
 * hanging above a candidate is included before it.
 */
export function* findRoutes(tree: RouteTree, segments: readonly string[]): Generator<RouteItem[]> {
  yield* find(tree, tree.root, [{ kind: 'router', router: tree.router, mount: undefined, path: [], suffix: segments }], segments, []);
}

function* find(tree: RouteTree, node: TrieNode, result: RouteItem[], suffix: readonly string[], path: readonly string[]): Generator<RouteItem[]> {
  if (node.middleware.length > 0) {
    result = result.concat(node.middleware.map((middleware): RouteItem => ({ kind: 'middleware', middleware, path, suffix })));
  }
  if (suffix.length === 0) {
    for (const endpoint of node.terminal) yield [...result, { kind: 'endpoint', endpoint, path, suffix }];
  } else {
    const [part = '', ...rest] = suffix;
    const next = [...path, part];
    const literal = node.children.get(part);
    if (literal !== undefined) yield* find(tree, literal, result, rest, next);
    if (node.param !== undefined) yield* find(tree, node.param, result, rest, next);
  }
  for (const route of node.wildcard) {
    if (route instanceof RouterMount) {
      const child = tree.children.get(route);
      if (child === undefined) continue;
      const item: RouteItem = { kind: 'router', router: route.router, mount: route, path, suffix };
      yield* find(child, child.root, [...result, item], suffix, []);
    } else {
      yield [...result, { kind: 'endpoint', endpoint: route, path, suffix }];
    }
  }
}

/** Every endpoint reachable from a tree, with the chain of routers/mounts leading to it. */
export function* flattenRoutes(tree: RouteTree): Generator<Array<Router | RouterMount | Endpoint>> {
  yield* flatten(tree, [tree.router]);
}

function* flatten(tree: RouteTree, chain: Array<Router | RouterMount | Endpoint>): Generator<Array<Router | RouterMount | Endpoint>> {
  for (const route of tree.router.routes) {
    if (route instanceof RouterMount) {
      const child = tree.children.get(route);
      if (child !== undefined) yield* flatten(child, [...chain, route, route.router]);
    } else {
      yield [...chain, route];
    }
  }
}

/** Raw path parameter values of one route item, by name. */
export function rawPathParams(names: readonly string[], tokens: readonly PathToken[], path: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  let j = 0;
  tokens.forEach((token, i) => {
    if (token === PARAM) {
      const name = names[j++];
      const value = path[i];
      if (name !== undefined && value !== undefined) params[name] = value;
    }
  });
  return params;
}

/** Finds a named route for `req.reverse`: `name` or dotted `router.name`. */
export function findNamedRoute(router: Router, name: string): Array<RouterMount | Endpoint> | undefined {
  return search(router, name.split('.'), new Set());
}

function search(router: Router, keys: readonly string[], visited: Set<RouterMount>): Array<RouterMount | Endpoint> | undefined {
  const [head = '', ...tail] = keys;
  const named = router.namedRoutes.get(head);
  if (named instanceof Endpoint && tail.length === 0) return [named];
  if (named instanceof RouterMount && tail.length > 0 && !visited.has(named)) {
    visited.add(named);
    const found = search(named.router, tail, visited);
    if (found !== undefined) return [named, ...found];
  }
  for (const child of router.routes) {
    if (child instanceof RouterMount && !visited.has(child)) {
      visited.add(child);
      const found = search(child.router, keys, visited);
      if (found !== undefined) return [child, ...found];
    }
  }
  return undefined;
}

/** Builds the service-relative path of a named route chain, leftover params become the query. */
export function buildPath(chain: ReadonlyArray<RouterMount | Endpoint>, params: Readonly<Record<string, unknown>>): { path: string; rest: Record<string, unknown> } {
  const rest: Record<string, unknown> = { ...params };
  const parts: string[] = [];
  for (const item of chain) {
    let i = 0;
    for (const token of item.pathTokens) {
      if (token === PARAM) {
        const name = item.pathParamNames[i++] ?? '';
        if (!Object.hasOwn(rest, name)) throw new Error(`Missing value for parameter "${name}"`);
        parts.push(encodeURIComponent(String(rest[name])));
        delete rest[name];
      } else if (typeof token === 'string') {
        parts.push(token);
      }
    }
  }
  return { path: `/${parts.join('/')}`, rest };
}
