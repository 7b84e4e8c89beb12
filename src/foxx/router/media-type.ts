import { Buffer } from 'node:buffer';

const SHORT_TYPES: Readonly<Record<string, string>> = {
  json: 'application/json',
  text: 'text/plain',
  html: 'text/html',
  xml: 'application/xml',
  js: 'application/javascript',
  javascript: 'application/javascript',
  css: 'text/css',
  csv: 'text/csv',
  binary: 'application/octet-stream',
  bin: 'application/octet-stream',
  form: 'application/x-www-form-urlencoded',
  urlencoded: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
};

const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html', htm: 'text/html', txt: 'text/plain', md: 'text/markdown', css: 'text/css', csv: 'text/csv',
  js: 'application/javascript', mjs: 'application/javascript', json: 'application/json', xml: 'application/xml',
  svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', ico: 'image/x-icon',
  webp: 'image/webp', pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', wasm: 'application/wasm',
  woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf', map: 'application/json',
};

/** Expands a short type name (`json`, `text`, `html`, `binary`…) or extension to a MIME type. */
export function expandMediaType(type: string): string {
  if (type.includes('/')) return type;
  const key = type.replace(/^\./, '').toLowerCase();
  return SHORT_TYPES[key] ?? EXTENSION_TYPES[key] ?? type;
}

/** MIME type for a file name by extension, or `undefined`. */
export function mediaTypeForFile(filename: string): string | undefined {
  const dot = filename.lastIndexOf('.');
  if (dot === -1) return undefined;
  return EXTENSION_TYPES[filename.slice(dot + 1).toLowerCase()];
}

/** Adds `; charset=utf-8` to textual types that lack a charset. */
export function withCharset(type: string): string {
  if (/;\s*charset=/i.test(type)) return type;
  return /^text\/|^application\/(json|javascript|xml)\b|\+json$|\+xml$/i.test(type) ? `${type}; charset=utf-8` : type;
}

/** The bare `type/subtype` of a Content-Type value, lower-cased. */
export function bareMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * True when `actual` (a Content-Type) matches `wanted` (`application/json`, `json`, `text/*`,
 * `+json`, `*\/*`), like type-is.
 */
export function mediaTypeMatches(actual: string | undefined, wanted: string): boolean {
  const bare = bareMediaType(actual);
  if (bare === '') return false;
  if (wanted.startsWith('+')) return bare.endsWith(wanted.toLowerCase());
  const want = expandMediaType(wanted).toLowerCase();
  if (want === '*/*') return true;
  const [wt, ws] = want.split('/');
  const [at, as] = bare.split('/');
  if (wt !== '*' && wt !== at) return false;
  if (ws === '*' ) return true;
  if (ws === as) return true;
  // application/vnd.foo+json matches application/json
  return ws !== undefined && as !== undefined && as.endsWith(`+${ws}`);
}

/** Parses `a=1&b=2&a=3` into `{a: ['1', '3'], b: '2'}` (Node's querystring semantics). */
export function parseQueryString(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    // own keys only: `constructor=x` or `toString=x` are parameters like any other
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Serialises `{a: 1, b: [2, 3]}` into `a=1&b=2&b=3`. */
export function formatQueryString(params: Readonly<Record<string, unknown>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  return search.toString();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text; invalid UTF-8 is refused, never replaced by U+FFFD (like the server's own bodies). */
export function utf8(raw: Buffer): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw new SyntaxError('invalid UTF-8 sequence in the request body');
  }
}

/**
 * Parses a request body for the chosen media type: JSON (empty → `undefined`), text,
 * urlencoded forms; anything else stays a Buffer. Throws SyntaxError for bad JSON and for text
 * that is not valid UTF-8.
 */
export function parseBody(mediaType: string, raw: Buffer): unknown {
  const type = expandMediaType(mediaType).toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    const text = utf8(raw);
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  }
  if (type.startsWith('text/')) return utf8(raw);
  if (type === 'application/x-www-form-urlencoded') return parseQueryString(utf8(raw));
  return raw;
}
