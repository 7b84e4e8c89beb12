import type { HttpReply, RequestContext } from './context.ts';

export type Handler = (ctx: RequestContext) => Promise<HttpReply> | HttpReply;

/** How a route is guarded before its handler runs. */
export interface RouteOptions {
  /** No authentication at all (`/_open/...`). */
  readonly open?: boolean;
  /** Authenticated, but no access to the request's database needed (user self-service). */
  readonly anyDatabase?: boolean;
}

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly rest: boolean;
  readonly handler: Handler;
  readonly options: RouteOptions;
}

/** The result of matching a request: the route and its path parameters, or why none matched. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly handler: Handler; readonly params: string[]; readonly options: RouteOptions }
  | { readonly kind: 'method-not-allowed' }
  | { readonly kind: 'not-found' };

/**
 * Path router: patterns are `/`-separated literals, `:name` parameters and a trailing `*`
 * (the rest of the path as one parameter). Routes are bucketed by their first two literal
 * segments so the hot document routes are found with a couple of comparisons.
 */
export class Router {
  readonly #buckets = new Map<string, Route[]>();

  add(method: string | readonly string[], pattern: string, handler: Handler, options: RouteOptions = {}): void {
    const parts = pattern.split('/').filter((s) => s !== '');
    const rest = parts[parts.length - 1] === '*';
    const segments = rest ? parts.slice(0, -1) : parts;
    const key = bucketKey(segments);
    const list = this.#buckets.get(key) ?? [];
    for (const m of Array.isArray(method) ? method : [method]) list.push({ method: m, segments, rest, handler, options });
    this.#buckets.set(key, list);
  }

  match(method: string, path: string): RouteMatch {
    const parts = splitPath(path);
    const exact = this.#buckets.get(bucketKey(parts)) ?? [];
    const loose = this.#buckets.get(`${parts[0] ?? ''}/`) ?? [];
    let methodMismatch = false;
    for (const route of exact.length > 0 && loose.length > 0 ? [...exact, ...loose] : exact.length > 0 ? exact : loose) {
      const params = matchSegments(route, parts);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        return { kind: 'found', handler: route.handler, params, options: route.options };
      }
      methodMismatch = true;
    }
    return methodMismatch ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }
}

function bucketKey(segments: readonly string[]): string {
  const a = segments[0] ?? '';
  const b = segments[1] ?? '';
  return `${a}/${b.startsWith(':') ? '' : b}`;
}

function matchSegments(route: Route, parts: readonly string[]): string[] | null {
  const segs = route.segments;
  if (route.rest ? parts.length < segs.length : parts.length !== segs.length) return null;
  const params: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as string;
    const p = parts[i] as string;
    if (s.startsWith(':')) params.push(p);
    else if (s !== p) return null;
  }
  if (route.rest) params.push(parts.slice(segs.length).join('/'));
  return params;
}

/** Splits a path into its non-empty segments. */
function splitPath(path: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47) {
      if (i > start) parts.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return parts;
}
