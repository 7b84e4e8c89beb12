import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { toNumber, toStringValue } from '../values.ts';

const WHITESPACE = ' \t\r\n\f\v\u00a0';

/** Code-point aware string length (ArangoDB counts UTF-8 characters). */
export function charLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function chars(s: string): string[] {
  return Array.from(s);
}

/** Translates a LIKE pattern (% and _, backslash escapes) into a RegExp. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[i + 1] ?? '');
      i++;
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(re + '$', caseInsensitive ? 'iu' : 'u');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Compiles an AQL (ICU-flavoured) regular expression; returns null if invalid. */
export function compileRegex(pattern: string, caseInsensitive: boolean, global = false): RegExp | null {
  try {
    return new RegExp(pattern, (caseInsensitive ? 'i' : '') + (global ? 'g' : '') + 'u');
  } catch {
    try {
      return new RegExp(pattern, (caseInsensitive ? 'i' : '') + (global ? 'g' : ''));
    } catch {
      return null;
    }
  }
}

function trimChars(s: string, set: string, start: boolean, end: boolean): string {
  let a = 0;
  let b = s.length;
  if (start) while (a < b && set.includes(s[a] ?? '')) a++;
  if (end) while (b > a && set.includes(s[b - 1] ?? '')) b--;
  return s.slice(a, b);
}

function hash(algo: string) {
  return (_c: FunctionContext, args: readonly unknown[]): string => createHash(algo).update(toStringValue(args[0]), 'utf8').digest('hex');
}

function regexArg(ctx: FunctionContext, name: string, pattern: unknown, ci: unknown, global = false): RegExp | null {
  const re = compileRegex(toStringValue(pattern), ci === true, global);
  if (re === null) ctx.warn(1543, `invalid regex value in call to function '${name}()'`);
  return re;
}

function concatPart(v: unknown): string {
  return v === null || v === undefined ? '' : toStringValue(v);
}

/** String functions. */
export const STRING_FUNCTIONS: FunctionTable = {
  CONCAT: fn(1, Infinity, (_c, args) => {
    const first = args[0];
    if (args.length === 1 && Array.isArray(first)) return first.map(concatPart).join('');
    return args.map(concatPart).join('');
  }),
  CONCAT_SEPARATOR: fn(2, Infinity, (_c, args) => {
    const sep = toStringValue(args[0]);
    const parts: string[] = [];
    const rest = args.length === 2 && Array.isArray(args[1]) ? args[1] : args.slice(1);
    for (const v of rest) if (v !== null && v !== undefined) parts.push(toStringValue(v));
    return parts.join(sep);
  }),
  CHAR_LENGTH: fn(1, 1, (_c, [v]) => charLength(toStringValue(v))),
  LOWER: fn(1, 1, (_c, [v]) => toStringValue(v).toLowerCase()),
  UPPER: fn(1, 1, (_c, [v]) => toStringValue(v).toUpperCase()),
  SUBSTRING: fn(2, 3, (_c, [v, off, len]) => {
    const cs = chars(toStringValue(v));
    let o = Math.trunc(toNumber(off));
    if (o < 0) o = Math.max(0, cs.length + o);
    if (len === undefined || len === null) return cs.slice(o).join('');
    let l = Math.trunc(toNumber(len));
    if (l < 0) l = Math.max(0, cs.length - o + l);
    return cs.slice(o, o + l).join('');
  }),
  LEFT: fn(2, 2, (_c, [v, n]) => chars(toStringValue(v)).slice(0, Math.max(0, Math.trunc(toNumber(n)))).join('')),
  RIGHT: fn(2, 2, (_c, [v, n]) => {
    const cs = chars(toStringValue(v));
    const k = Math.max(0, Math.trunc(toNumber(n)));
    return cs.slice(Math.max(0, cs.length - k)).join('');
  }),
  TRIM: fn(1, 2, (_c, [v, t]) => {
    const s = toStringValue(v);
    if (typeof t === 'string') return trimChars(s, t, true, true);
    const type = t === undefined || t === null ? 0 : toNumber(t);
    return trimChars(s, WHITESPACE, type === 0 || type === 1, type === 0 || type === 2);
  }),
  LTRIM: fn(1, 2, (_c, [v, t]) => trimChars(toStringValue(v), typeof t === 'string' ? t : WHITESPACE, true, false)),
  RTRIM: fn(1, 2, (_c, [v, t]) => trimChars(toStringValue(v), typeof t === 'string' ? t : WHITESPACE, false, true)),
  SPLIT: fn(1, 3, (_c, [v, sep, limit]) => {
    if (v === null || v === undefined) return [];
    const s = toStringValue(v);
    let parts: string[];
    if (sep === undefined || sep === null) parts = [s];
    else if (Array.isArray(sep)) {
      const seps = sep.map((x) => toStringValue(x)).filter((x) => x !== '');
      if (seps.length === 0) parts = chars(s);
      else parts = s.split(new RegExp(seps.map(escapeRe).join('|')));
    } else {
      const sp = toStringValue(sep);
      parts = sp === '' ? chars(s) : s.split(sp);
    }
    if (limit !== undefined && limit !== null) {
      const l = Math.trunc(toNumber(limit));
      if (l >= 0) parts = parts.slice(0, l);
    }
    return parts;
  }),
  CONTAINS: fn(2, 3, (_c, [t, s, ret]) => {
    const text = toStringValue(t);
    const search = toStringValue(s);
    const idx = text.indexOf(search);
    if (ret === true) return idx < 0 ? -1 : charLength(text.slice(0, idx));
    return idx >= 0;
  }),
  FIND_FIRST: fn(2, 4, (_c, [t, s, st, en]) => {
    const cs = chars(toStringValue(t));
    const search = toStringValue(s);
    const start = st === undefined || st === null ? 0 : Math.max(0, Math.trunc(toNumber(st)));
    const end = en === undefined || en === null ? cs.length : Math.min(cs.length, Math.trunc(toNumber(en)) + 1);
    const hay = cs.slice(start, end).join('');
    const idx = hay.indexOf(search);
    return idx < 0 ? -1 : start + charLength(hay.slice(0, idx));
  }),
  FIND_LAST: fn(2, 4, (_c, [t, s, st, en]) => {
    const cs = chars(toStringValue(t));
    const search = toStringValue(s);
    const start = st === undefined || st === null ? 0 : Math.max(0, Math.trunc(toNumber(st)));
    const end = en === undefined || en === null ? cs.length : Math.min(cs.length, Math.trunc(toNumber(en)) + 1);
    const hay = cs.slice(start, end).join('');
    const idx = hay.lastIndexOf(search);
    return idx < 0 ? -1 : start + charLength(hay.slice(0, idx));
  }),
  LIKE: fn(2, 3, (_c, [t, p, ci]) => likeToRegExp(toStringValue(p), ci === true).test(toStringValue(t))),
  STARTS_WITH: fn(2, 3, (_c, [t, p, min]) => {
    const text = toStringValue(t);
    if (Array.isArray(p)) {
      const need = min === undefined || min === null ? 1 : toNumber(min);
      let hits = 0;
      for (const x of p) if (text.startsWith(toStringValue(x))) hits++;
      return hits >= need;
    }
    return text.startsWith(toStringValue(p));
  }),
  REGEX_TEST: fn(2, 3, (ctx, [t, p, ci], name) => {
    const re = regexArg(ctx, name, p, ci);
    return re === null ? null : re.test(toStringValue(t));
  }),
  REGEX_REPLACE: fn(3, 4, (ctx, [t, p, r, ci], name) => {
    const re = regexArg(ctx, name, p, ci, true);
    return re === null ? null : toStringValue(t).replace(re, toStringValue(r));
  }),
  REGEX_MATCHES: fn(2, 3, (ctx, [t, p, ci], name) => {
    const re = regexArg(ctx, name, p, ci);
    if (re === null) return null;
    const m = re.exec(toStringValue(t));
    return m === null ? null : Array.from(m, (x) => x ?? '');
  }),
  REGEX_SPLIT: fn(2, 4, (ctx, [t, p, ci, limit], name) => {
    const re = regexArg(ctx, name, p, ci);
    if (re === null) return null;
    const parts = toStringValue(t).split(re).filter((x) => x !== undefined);
    return limit === undefined || limit === null ? parts : parts.slice(0, Math.max(0, toNumber(limit)));
  }),
  SUBSTITUTE: fn(2, 4, (_c, args) => {
    let s = toStringValue(args[0]);
    let search: string[];
    let replace: unknown;
    let limitArg: unknown;
    const a1 = args[1];
    if (a1 !== null && typeof a1 === 'object' && !Array.isArray(a1)) {
      const m = a1 as Record<string, unknown>;
      search = Object.keys(m);
      replace = search.map((k) => m[k]);
      limitArg = args[2];
    } else {
      search = Array.isArray(a1) ? a1.map((x) => toStringValue(x)) : [toStringValue(a1)];
      replace = args[2];
      limitArg = args[3];
    }
    const limit = limitArg === undefined || limitArg === null ? Infinity : Math.trunc(toNumber(limitArg));
    const repl = (i: number): string => {
      if (Array.isArray(replace)) return i < replace.length ? toStringValue(replace[i]) : '';
      return replace === undefined || replace === null ? '' : toStringValue(replace);
    };
    const pairs = search.map((k, i) => [k, repl(i)] as const).filter(([k]) => k !== '');
    if (pairs.length === 0) return s;
    const re = new RegExp(pairs.map(([k]) => escapeRe(k)).join('|'), 'g');
    let count = 0;
    s = s.replace(re, (m) => {
      if (count >= limit) return m;
      count++;
      const p = pairs.find(([k]) => k === m);
      return p === undefined ? m : p[1];
    });
    return s;
  }),
  MD5: fn(1, 1, hash('md5')),
  SHA1: fn(1, 1, hash('sha1')),
  SHA256: fn(1, 1, hash('sha256')),
  SHA512: fn(1, 1, hash('sha512')),
  CRC32: fn(1, 1, (_c, [v]) => crc32c(Buffer.from(toStringValue(v), 'utf8')).toString(16).toUpperCase()),
  UUID: fn(0, 0, () => randomUUID(), false),
  RANDOM_TOKEN: fn(1, 1, (ctx, [n], name) => {
    const len = Math.trunc(toNumber(n));
    if (len < 0 || len > 65536) return invalidArg(ctx, name);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const bytes = randomBytes(len);
    let s = '';
    for (const b of bytes) s += alphabet[b % alphabet.length];
    return s;
  }, false),
  TO_BASE64: fn(1, 1, (_c, [v]) => Buffer.from(toStringValue(v), 'utf8').toString('base64')),
  TO_HEX: fn(1, 1, (_c, [v]) => Buffer.from(toStringValue(v), 'utf8').toString('hex')),
  ENCODE_URI_COMPONENT: fn(1, 1, (_c, [v]) => encodeURIComponent(toStringValue(v))),
  JSON_STRINGIFY: fn(1, 1, (_c, [v]) => JSON.stringify(v ?? null)),
  JSON_PARSE: fn(1, 1, (ctx, [v], name) => {
    try {
      return JSON.parse(toStringValue(v)) as unknown;
    } catch {
      return invalidArg(ctx, name);
    }
  }),
};

function crc32c(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
