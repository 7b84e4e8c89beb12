import { Buffer } from 'node:buffer';
import { createHttpError, resolveStatus, STATUS_TEXT } from './http-error.ts';
import { expandMediaType, mediaTypeForFile, withCharset } from './media-type.ts';
import { signCookie } from './request.ts';
import type { ResponseDefinition } from './swagger-context.ts';

/** Reads a file for `res.sendFile`/`res.download` (the router itself does no I/O). */
export type FileReader = (path: string) => { readonly data: Uint8Array; readonly lastModified?: Date };

/** Options of `res.cookie`. */
export interface CookieOptions {
  /** Lifetime in seconds. */
  readonly ttl?: number;
  readonly secret?: string;
  readonly algorithm?: string;
  readonly path?: string;
  readonly domain?: string;
  readonly secure?: boolean;
  readonly httpOnly?: boolean;
  readonly sameSite?: string;
}

/** Header value as stored on the response; `set-cookie` may hold several. */
export type HeaderValue = string | string[];

/**
 * The `res` object handlers write to (ArangoDB's SyntheticResponse). Methods are chainable;
 * the dispatcher turns it into status, headers and body bytes after the handler finished.
 */
export class FoxxResponse {
  statusCode: number | undefined;
  readonly headers: Record<string, HeaderValue> = {};
  body: Buffer | string | undefined;
  readonly context: unknown;
  /** Declared responses of the current route (for `send`'s `forClient`). */
  responses: ReadonlyMap<number, ResponseDefinition> = new Map();
  private readonly readFile: FileReader | undefined;
  private readonly pretty: boolean;

  constructor(context: unknown, readFile: FileReader | undefined, pretty: boolean) {
    this.context = context;
    this.readFile = readFile;
    this.pretty = pretty;
  }

  /** Sets the status (number or reason phrase such as `'not found'`). */
  status(code: number | string): this {
    this.statusCode = resolveStatus(code);
    return this;
  }

  /** Sets the status and a plain-text body with its reason phrase. */
  sendStatus(code: number | string): this {
    this.status(code);
    const status = this.statusCode ?? 200;
    return this.send(STATUS_TEXT[status] ?? String(status), 'text/plain');
  }

  set(name: string | Record<string, unknown>, value?: unknown): this {
    if (typeof name === 'object') {
      for (const [k, v] of Object.entries(name)) this.setHeader(k, v);
      return this;
    }
    return this.setHeader(name, value);
  }

  setHeader(name: string, value: unknown): this {
    const lc = name.toLowerCase();
    if (value === undefined || value === null) delete this.headers[lc];
    else this.headers[lc] = Array.isArray(value) ? value.map(String) : String(value);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.headers[name.toLowerCase()];
  }

  removeHeader(name: string): this {
    delete this.headers[name.toLowerCase()];
    return this;
  }

  /** Sets the Content-Type (short names like `json` or `html` are expanded). */
  type(type?: string): string | undefined | this {
    if (type === undefined) {
      const current = this.headers['content-type'];
      return Array.isArray(current) ? current[0] : current;
    }
    this.headers['content-type'] = withCharset(expandMediaType(type));
    return this;
  }

  /** Adds to the `Vary` header. */
  vary(...names: Array<string | string[]>): this {
    const current = String(this.getHeader('vary') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const name of names.flat()) if (!current.some((c) => c.toLowerCase() === name.toLowerCase())) current.push(name);
    this.headers.vary = current.join(', ');
    return this;
  }

  /** Appends to the body; objects are JSON-encoded. */
  write(data: unknown): this {
    if (data === undefined || data === null) return this;
    const chunk = typeof data === 'string' || Buffer.isBuffer(data) ? data : data instanceof Uint8Array ? Buffer.from(data) : JSON.stringify(data);
    if (this.body === undefined) this.body = chunk;
    else if (typeof this.body === 'string' && typeof chunk === 'string') this.body += chunk;
    else this.body = Buffer.concat([Buffer.from(this.body), Buffer.from(chunk)]);
    return this;
  }

  /** Replaces the body with a JSON document (`application/json; charset=utf-8`). */
  json(value: unknown): this {
    this.headers['content-type'] = 'application/json; charset=utf-8';
    this.body = this.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
    return this;
  }

  /**
   * Replaces the body: applies the declared response model's `forClient` for the current
   * status, then serialises by type (`auto`: Buffer → octet-stream, string → HTML, else JSON).
   */
  send(data: unknown, type = 'auto'): this {
    const def = this.responses.get(this.statusCode ?? 200);
    let value = data;
    if (def?.model?.forClient !== undefined) value = def.model.forClient(value);
    let contentType = type === 'auto' ? undefined : withCharset(expandMediaType(type));
    // ArangoDB: without an explicit type, the first content type declared with .response() wins.
    const declared = def?.contentTypes[0];
    if (contentType === undefined && declared !== undefined && !def?.isError && (typeof value === 'string' || !/^text\//.test(declared))) contentType = withCharset(expandMediaType(declared));
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      this.body = Buffer.from(value);
      contentType ??= 'application/octet-stream';
    } else if (typeof value === 'string') {
      this.body = value;
      contentType ??= 'text/html; charset=utf-8';
    } else if (value === undefined) {
      this.body = undefined;
    } else {
      this.body = this.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
      contentType ??= 'application/json; charset=utf-8';
    }
    if (contentType !== undefined && (type !== 'auto' || this.headers['content-type'] === undefined)) this.headers['content-type'] = contentType;
    return this;
  }

  /** `redirect([status|'permanent'], url)`: default 302. */
  redirect(status: number | string, url?: string): this {
    let code = 302;
    let target: string;
    if (url === undefined) target = String(status);
    else {
      code = resolveStatus(status);
      target = url;
    }
    this.statusCode = code;
    this.headers.location = target;
    return this;
  }

  /** Throws an HTTP error the dispatcher answers with ArangoDB's error body. */
  throw(status: number | string, reason?: unknown, options?: unknown): never {
    throw createHttpError(status, reason, options);
  }

  /** Adds a `Set-Cookie`; with `secret` also `<name>.sig` holding an HMAC of the value. */
  cookie(name: string, value: string, options?: CookieOptions | string): this {
    const opts: CookieOptions = typeof options === 'string' ? { secret: options } : options ?? {};
    this.appendCookie(name, value, opts);
    if (opts.secret !== undefined) this.appendCookie(`${name}.sig`, signCookie(value, opts.secret, opts.algorithm), opts);
    return this;
  }

  private appendCookie(name: string, value: string, opts: CookieOptions): void {
    const parts = [`${name}=${encodeURIComponent(value)}`];
    if (opts.ttl !== undefined) {
      parts.push(`Max-Age=${Math.floor(opts.ttl)}`);
      parts.push(`Expires=${new Date(Date.now() + opts.ttl * 1000).toUTCString()}`);
    }
    if (opts.path !== undefined) parts.push(`Path=${opts.path}`);
    if (opts.domain !== undefined) parts.push(`Domain=${opts.domain}`);
    if (opts.sameSite !== undefined) parts.push(`SameSite=${opts.sameSite}`);
    if (opts.secure === true) parts.push('Secure');
    if (opts.httpOnly === true) parts.push('HttpOnly');
    const existing = this.headers['set-cookie'];
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    this.headers['set-cookie'] = [...list, parts.join('; ')];
  }

  /** `Content-Disposition: attachment` (with file name and a type guessed from it). */
  attachment(filename?: string): this {
    if (filename === undefined) {
      this.headers['content-disposition'] = 'attachment';
      return this;
    }
    const base = filename.split('/').pop() ?? filename;
    this.headers['content-disposition'] = `attachment; filename="${base.replace(/["\\]/g, '\\$&')}"`;
    const type = mediaTypeForFile(base);
    if (type !== undefined && this.headers['content-type'] === undefined) this.headers['content-type'] = withCharset(type);
    return this;
  }

  /** Sends a file through the reader the runtime provides; sets `last-modified` unless disabled. */
  sendFile(path: string, options: { lastModified?: boolean } = {}): this {
    if (this.readFile === undefined) throw createHttpError(500, 'sendFile is not available in this context');
    const file = this.readFile(path);
    this.body = Buffer.from(file.data);
    const type = mediaTypeForFile(path);
    if (this.headers['content-type'] === undefined) this.headers['content-type'] = type === undefined ? 'application/octet-stream' : withCharset(type);
    if (options.lastModified !== false && file.lastModified !== undefined) this.headers['last-modified'] = file.lastModified.toUTCString();
    return this;
  }

  /** `sendFile` as an attachment named `filename` (default: the file's name). */
  download(path: string, filename?: string): this {
    this.attachment(filename ?? path.split('/').pop() ?? path);
    return this.sendFile(path);
  }
}
