import { Buffer } from 'node:buffer';
import querystring from 'node:querystring';
import type { SyncCall } from './sync-call.ts';

type Opts = Record<string, unknown>;

interface HostResponse {
  status: number;
  message: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * `@arangodb/request`: blocking HTTP for services. The main thread performs the request (fetch)
 * while the worker waits, so a slow remote only blocks the calling worker.
 */
export function createRequestModule(call: SyncCall): unknown {
  const request = (input: unknown, maybe?: Opts): unknown => {
    const opts: Opts = typeof input === 'string' ? { ...maybe, url: input } : { ...(input as Opts) };
    let target = String(opts.url ?? opts.uri ?? '');
    if (opts.qs !== undefined) {
      const q = typeof opts.qs === 'string' ? opts.qs : querystring.stringify(opts.qs as querystring.ParsedUrlQueryInput);
      if (q !== '') target += (target.includes('?') ? '&' : '?') + q;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((opts.headers as Opts | undefined) ?? {})) headers[k.toLowerCase()] = String(v);
    let body: Uint8Array | undefined;
    if (opts.form !== undefined) {
      body = Buffer.from(typeof opts.form === 'string' ? opts.form : querystring.stringify(opts.form as querystring.ParsedUrlQueryInput));
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (opts.json === true && opts.body !== undefined) {
      body = Buffer.from(JSON.stringify(opts.body));
      headers['content-type'] ??= 'application/json';
    } else if (typeof opts.body === 'string' || opts.body instanceof Uint8Array) {
      body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
    } else if (opts.body !== undefined && opts.body !== null) {
      body = Buffer.from(JSON.stringify(opts.body));
    }
    const auth = opts.auth as { username?: string; password?: string; bearer?: string } | undefined;
    if (auth?.bearer !== undefined) headers.authorization = `Bearer ${auth.bearer}`;
    else if (auth?.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    const res = call('http.request', '', {
      url: target,
      method: String(opts.method ?? 'GET').toUpperCase(),
      headers,
      body,
      followRedirect: opts.followRedirect !== false,
      timeoutMs: typeof opts.timeout === 'number' ? opts.timeout * 1000 : 60_000,
    }) as HostResponse;
    const raw = Buffer.from(res.body);
    const text = raw.toString('utf8');
    const out: Record<string, unknown> = {
      status: res.status,
      statusCode: res.status,
      message: res.message,
      headers: res.headers,
      rawBody: raw,
      body: opts.encoding === null ? raw : text,
    };
    if (opts.json === true || (res.headers['content-type'] ?? '').includes('json')) {
      try {
        out.json = JSON.parse(text) as unknown;
        if (opts.json === true) out.body = out.json;
      } catch {
        // not JSON after all: leave body as text
      }
    }
    out.throw = (msg?: string) => {
      if (res.status >= 400) throw Object.assign(new Error(msg ?? `${res.status} ${res.message}`), { statusCode: res.status, response: out });
    };
    return out;
  };
  for (const method of ['get', 'post', 'put', 'patch', 'delete', 'head']) {
    Object.assign(request, { [method]: (u: unknown, o?: Opts) => request(typeof u === 'string' ? { ...o, url: u, method } : { ...(u as Opts), method }) });
  }
  return request;
}
