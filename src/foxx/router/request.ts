import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { formatQueryString, mediaTypeMatches, utf8 } from './media-type.ts';

/** What the dispatcher knows about the incoming request when it builds `req`. */
export interface RequestInit {
  readonly method: string;
  readonly database: string;
  readonly mount: string;
  /** Service-relative path (`/hello/world`), already without the query string. */
  readonly servicePath: string;
  readonly search: string;
  readonly headers: Record<string, string>;
  readonly queryParams: Record<string, unknown>;
  readonly rawBody: Buffer;
  readonly context: unknown;
  readonly arangoUser: string | null;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly arangoVersion: number;
}

/** Signs a cookie value the way `res.cookie(..., {secret})` does (hex HMAC). */
export function signCookie(value: string, secret: string, algorithm = 'sha256'): string {
  return createHmac(algorithm, secret).update(value).digest('hex');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value when it is not valid percent-encoding
    }
    if (name !== '' && !Object.hasOwn(out, name)) out[name] = value;
  }
  return out;
}

/**
 * The `req` object handlers see (ArangoDB's SyntheticRequest). `path`, `suffix`, `pathParams`
 * and `queryParams` change as the request passes through routers (as in ArangoDB).
 */
export class FoxxRequest {
  readonly method: string;
  readonly database: string;
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly rawBody: Buffer;
  readonly context: unknown;
  readonly arangoUser: string | null;
  readonly arangoVersion: number;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number;
  readonly remoteAddress: string;
  readonly remoteAddresses: string[];
  readonly remotePort: number;
  body: unknown;
  path: string;
  suffix = '';
  pathParams: Record<string, unknown> = {};
  queryParams: Record<string, unknown>;
  /** Replaced per route by the dispatcher. */
  reverse: (name: string, params?: Record<string, unknown> | string, suffix?: string) => string = () => {
    throw new Error('reverse() is only available inside a route');
  };
  private readonly search: string;
  private readonly dbPath: string;
  private readonly mount: string;
  private cookies: Record<string, string> | undefined;

  constructor(init: RequestInit) {
    this.method = init.method;
    this.database = init.database;
    this.baseUrl = `/_db/${encodeURIComponent(init.database)}`;
    this.headers = init.headers;
    this.rawBody = init.rawBody;
    this.body = init.rawBody;
    this.context = init.context;
    this.arangoUser = init.arangoUser;
    this.arangoVersion = init.arangoVersion;
    this.protocol = init.protocol;
    this.hostname = init.hostname;
    this.port = init.port;
    this.remoteAddress = init.remoteAddress;
    this.remoteAddresses = [init.remoteAddress];
    this.remotePort = init.remotePort;
    this.queryParams = init.queryParams;
    this.search = init.search;
    this.mount = init.mount;
    this.dbPath = `${init.mount}${init.servicePath}`.replace(/\/{2,}/g, '/') || '/';
    this.path = this.dbPath;
  }

  /** Database-relative URL with query string. */
  get url(): string {
    return this.dbPath + this.search;
  }

  /** Root-relative URL (`/_db/<db>/<mount>/…?…`). */
  get originalUrl(): string {
    return this.baseUrl + this.dbPath + this.search;
  }

  get secure(): boolean {
    return this.protocol === 'https';
  }

  get xhr(): boolean {
    return (this.headers['x-requested-with'] ?? '').toLowerCase() === 'xmlhttprequest';
  }

  /** A request header (case-insensitive; `referer`/`referrer` are aliases). */
  get(name: string): string | undefined {
    const lc = name.toLowerCase();
    if (lc === 'referer' || lc === 'referrer') return this.headers.referer ?? this.headers.referrer;
    return this.headers[lc];
  }

  header(name: string): string | undefined {
    return this.get(name);
  }

  /** The first of `types` matching the request's Content-Type, or `false`. */
  is(...types: Array<string | string[]>): string | false {
    const contentType = this.headers['content-type'];
    if (contentType === undefined || contentType === '') return false;
    for (const type of types.flat()) if (mediaTypeMatches(contentType, type)) return type;
    return false;
  }

  /** The raw body parsed as JSON (`undefined` when empty). Throws SyntaxError for bad JSON or invalid UTF-8. */
  json(): unknown {
    if (this.rawBody.length === 0) return undefined;
    return JSON.parse(utf8(this.rawBody)) as unknown;
  }

  /** A path parameter, else a query parameter. */
  param(name: string): unknown {
    return Object.hasOwn(this.pathParams, name) ? this.pathParams[name] : this.queryParams[name];
  }

  /** A cookie value; with a `secret` only when `<name>.sig` carries a valid signature. */
  cookie(name: string, options?: string | { secret?: string; algorithm?: string }): string | undefined {
    const opts = typeof options === 'string' ? { secret: options } : options ?? {};
    this.cookies ??= parseCookies(this.headers.cookie);
    const value = this.cookies[name];
    if (value === undefined || opts.secret === undefined) return value;
    const signature = Buffer.from(this.cookies[`${name}.sig`] ?? '');
    const expected = Buffer.from(signCookie(value, opts.secret, opts.algorithm));
    return signature.length === expected.length && timingSafeEqual(signature, expected) ? value : undefined;
  }

  /** Absolute URL for a service-relative path. */
  makeAbsolute(path: string, query?: string | Record<string, unknown>): string {
    const defaultPort = this.secure ? 443 : 80;
    const host = this.port === defaultPort ? this.hostname : `${this.hostname}:${this.port}`;
    const base = `${this.protocol}://${host}${this.baseUrl}${this.mount}`;
    const search = query === undefined ? '' : typeof query === 'string' ? `?${query.replace(/^\?/, '')}` : `?${formatQueryString(query)}`;
    return `${base}/${path.replace(/^\//, '')}${search}`;
  }
}
