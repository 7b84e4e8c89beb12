import { fn, type FunctionContext, type FunctionTable } from './function-types.ts';
import { toNumber, toStringValue } from '../values.ts';
import { localToUtc, utcToLocal } from './time-zones.ts';

const DATE_RE = /^([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MAX_TS = 253402300799999;
const MIN_TS = -62167219200000;

/** Parses an AQL date (ms timestamp or ISO 8601 string, UTC unless an offset is given). */
export function parseDate(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= MIN_TS && v <= MAX_TS ? Math.trunc(v) : null;
  if (typeof v !== 'string') return null;
  const m = DATE_RE.exec(v.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Math.trunc(Number(('0.' + frac)) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year >= 0 && year < 100) t = new Date(t).setUTCFullYear(year);
  if (tz !== undefined && tz.toUpperCase() !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const off = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
    t -= sign * off * 60000;
  }
  return t >= MIN_TS && t <= MAX_TS ? t : null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() + (month === 2 && isLeap(year) ? 0 : 0) - (month === 2 && !isLeap(year) ? 1 : 0);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Formats a timestamp as ArangoDB's ISO string (always milliseconds, Z). */
/** AQL's date range: 0000-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z. */
const MIN_DATE = -62167219200000;
const MAX_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** True for a timestamp inside AQL's date range. */
export function inDateRange(t: number): boolean {
  return Number.isFinite(t) && t >= MIN_DATE && t <= MAX_DATE;
}

export function isoString(t: number): string {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const ys = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
  return `${ys}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}Z`;
}

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

export function invalidDate(ctx: FunctionContext, name: string): null {
  ctx.warn(1572, `invalid date value in call to function '${name}()'`);
  return null;
}

/** Date from the arguments: one date value, or year, month, day[, hour, minute, second, ms]. */
function dateArgs(ctx: FunctionContext, name: string, args: readonly unknown[]): number | null {
  if (args.length === 1) {
    const t = parseDate(args[0]);
    return t === null ? invalidDate(ctx, name) : t;
  }
  const n = args.map((a) => toNumber(a));
  // negative components are refused; larger ones overflow into the next component
  if (n.some((x) => x < 0)) return invalidDate(ctx, name);
  const d = new Date(0);
  d.setUTCFullYear(n[0] ?? 0, (n[1] ?? 1) - 1, n[2] ?? 1);
  d.setUTCHours(n[3] ?? 0, n[4] ?? 0, n[5] ?? 0, n[6] ?? 0);
  const t = d.getTime();
  return inDateRange(t) ? t : invalidDate(ctx, name);
}

/**
 * The local wall time of `t` in the optional IANA zone argument (the runtime's ICU data), as a
 * UTC-based timestamp; `t` itself without a zone; null (warning 1542) for an unknown zone.
 */
export function inZone(ctx: FunctionContext, name: string, t: number, zone: unknown): number | null {
  if (zone === undefined || zone === null) return t;
  const local = typeof zone === 'string' ? utcToLocal(t, zone) : null;
  if (local === null) ctx.warn(1542, `invalid argument type in call to function '${name}()': unknown time zone`);
  return local;
}

/** Back from a local wall time in `zone` to UTC (identity without a zone). */
export function fromZone(local: number, zone: unknown): number {
  return typeof zone === 'string' ? (localToUtc(local, zone) ?? local) : local;
}

function part(name: string, f: (d: Date) => number, maxArgs = 2) {
  return fn(1, maxArgs, (ctx, args) => {
    const t = parseDate(args[0]);
    if (t === null) return invalidDate(ctx, name);
    const local = inZone(ctx, name, t, args[1]);
    return local === null ? null : f(new Date(local));
  });
}

export function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}

export function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
}

type Unit = 'y' | 'm' | 'w' | 'd' | 'h' | 'i' | 's' | 'f';

function unitOf(u: unknown): Unit | null {
  const s = toStringValue(u).toLowerCase();
  const map: Record<string, Unit> = {
    y: 'y', year: 'y', years: 'y', m: 'm', month: 'm', months: 'm', w: 'w', week: 'w', weeks: 'w', d: 'd', day: 'd', days: 'd',
    h: 'h', hour: 'h', hours: 'h', i: 'i', minute: 'i', minutes: 'i', s: 's', second: 's', seconds: 's', f: 'f', millisecond: 'f', milliseconds: 'f',
  };
  return map[s] ?? null;
}

const UNIT_MS: Record<Unit, number> = { y: 0, m: 0, w: 604800000, d: 86400000, h: 3600000, i: 60000, s: 1000, f: 1 };

function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const ny = y + Math.floor(m / 12);
  const nm = ((m % 12) + 12) % 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(ny, nm + 1));
  return Date.UTC(ny, nm, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function add(t: number, amount: number, unit: Unit): number {
  if (unit === 'y') return addMonths(t, Math.trunc(amount) * 12);
  if (unit === 'm') return addMonths(t, Math.trunc(amount));
  return t + amount * UNIT_MS[unit];
}

const DURATION_RE = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

function shift(ctx: FunctionContext, name: string, args: readonly unknown[], sign: number): string | null {
  const utc = parseDate(args[0]);
  if (utc === null) return invalidDate(ctx, name);
  // DATE_ADD(date, amount, unit[, zone]) or DATE_ADD(date, isoDuration[, zone]); the documented
  // DATE_ADD(date, "month", 1) form (unit before amount) is accepted too
  if (typeof args[1] === 'string' && !args[1].startsWith('P') && typeof args[2] === 'number') args = [args[0], args[2], args[1], ...args.slice(3)];
  const isDuration = typeof args[1] === 'string' && args[1].startsWith('P');
  const zone = isDuration ? args[2] : args[3];
  const t = inZone(ctx, name, utc, zone);
  if (t === null) return null;
  const r = shiftLocal(ctx, name, t, isDuration ? [args[0], args[1]] : args.slice(0, 3), sign);
  if (r === null) return null;
  const out = fromZone(r, zone);
  // a result outside AQL's date range is null with a warning, as an invalid input is
  return inDateRange(out) ? isoString(out) : invalidDate(ctx, name);
}

function shiftLocal(ctx: FunctionContext, name: string, t: number, args: readonly unknown[], sign: number): number | null {
  if (args.length === 2) {
    const m = DURATION_RE.exec(toStringValue(args[1]));
    if (m === null || args[1] === 'P') return invalidDate(ctx, name);
    const units: Unit[] = ['y', 'm', 'w', 'd', 'h', 'i', 's'];
    let r = t;
    units.forEach((u, i) => {
      const v = m[i + 1];
      if (v !== undefined) {
        const n = Number(v);
        if (u === 's') r = add(r, sign * n * 1000, 'f');
        else r = add(r, sign * n, u);
      }
    });
    return r;
  }
  const unit = unitOf(args[2]);
  if (unit === null) return invalidDate(ctx, name);
  const r = add(t, sign * toNumber(args[1]), unit);
  return Number.isFinite(r) ? r : invalidDate(ctx, name);
}

function monthsBetween(a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  let months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + (db.getUTCMonth() - da.getUTCMonth());
  const anchor = addMonths(a, months);
  if (b >= a && anchor > b) months--;
  if (b < a && anchor < b) months++;
  const base = addMonths(a, months);
  const next = addMonths(a, months + (b >= a ? 1 : -1));
  const frac = next === base ? 0 : (b - base) / Math.abs(next - base);
  return months + (b >= a ? frac : -Math.abs(frac));
}

function format(t: number, f: string): string {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const tokens: [string, () => string][] = [
    ['%yyyyyy', () => (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0')],
    ['%yyyy', () => String(y).padStart(4, '0')],
    ['%yy', () => String(y % 100).padStart(2, '0')],
    ['%y', () => String(y)],
    ['%mmmm', () => MONTHS[d.getUTCMonth()] ?? ''],
    ['%mmm', () => (MONTHS[d.getUTCMonth()] ?? '').slice(0, 3)],
    ['%mm', () => p2(d.getUTCMonth() + 1)],
    ['%m', () => String(d.getUTCMonth() + 1)],
    ['%dd', () => p2(d.getUTCDate())],
    ['%d', () => String(d.getUTCDate())],
    ['%hh', () => p2(d.getUTCHours())],
    ['%h', () => String(d.getUTCHours())],
    ['%ii', () => p2(d.getUTCMinutes())],
    ['%i', () => String(d.getUTCMinutes())],
    ['%ss', () => p2(d.getUTCSeconds())],
    ['%s', () => String(d.getUTCSeconds())],
    ['%fff', () => String(d.getUTCMilliseconds()).padStart(3, '0')],
    ['%f', () => String(d.getUTCMilliseconds())],
    ['%xxx', () => String(dayOfYear(d)).padStart(3, '0')],
    ['%x', () => String(dayOfYear(d))],
    ['%kk', () => p2(isoWeek(d))],
    ['%k', () => String(isoWeek(d))],
    ['%wwww', () => DAYS[d.getUTCDay()] ?? ''],
    ['%www', () => (DAYS[d.getUTCDay()] ?? '').slice(0, 3)],
    ['%w', () => String(d.getUTCDay())],
    ['%t', () => String(t)],
    ['%z', () => isoString(t)],
    ['%l', () => (isLeap(y) ? '1' : '0')],
    ['%q', () => String(Math.floor(d.getUTCMonth() / 3) + 1)],
    ['%a', () => String(daysInMonth(y, d.getUTCMonth() + 1))],
    ['%&', () => ''],
    ['%%', () => '%'],
  ];
  let out = '';
  for (let i = 0; i < f.length;) {
    if (f[i] !== '%') { out += f[i]; i++; continue; }
    const tok = tokens.find(([k]) => f.startsWith(k, i));
    if (tok === undefined) { i++; continue; }
    out += tok[1]();
    i += tok[0].length;
  }
  return out;
}

/** Date functions (UTC). */
export const DATE_FUNCTIONS: FunctionTable = {
  DATE_NOW: fn(0, 0, () => Date.now(), false),
  DATE_ISO8601: fn(1, 7, (ctx, args, name) => { const t = dateArgs(ctx, name, args); return t === null ? null : isoString(t); }),
  DATE_TIMESTAMP: fn(1, 7, (ctx, args, name) => dateArgs(ctx, name, args)),
  DATE_YEAR: part('DATE_YEAR', (d) => d.getUTCFullYear()),
  DATE_MONTH: part('DATE_MONTH', (d) => d.getUTCMonth() + 1),
  DATE_DAY: part('DATE_DAY', (d) => d.getUTCDate()),
  DATE_HOUR: part('DATE_HOUR', (d) => d.getUTCHours()),
  DATE_MINUTE: part('DATE_MINUTE', (d) => d.getUTCMinutes()),
  // no time-zone argument: no zone shifts seconds or milliseconds
  DATE_SECOND: part('DATE_SECOND', (d) => d.getUTCSeconds(), 1),
  DATE_MILLISECOND: part('DATE_MILLISECOND', (d) => d.getUTCMilliseconds(), 1),
  DATE_DAYOFWEEK: part('DATE_DAYOFWEEK', (d) => d.getUTCDay()),
  DATE_DAYOFYEAR: part('DATE_DAYOFYEAR', dayOfYear),
  DATE_ISOWEEK: part('DATE_ISOWEEK', isoWeek),
  DATE_QUARTER: part('DATE_QUARTER', (d) => Math.floor(d.getUTCMonth() / 3) + 1),
  DATE_DAYS_IN_MONTH: part('DATE_DAYS_IN_MONTH', (d) => daysInMonth(d.getUTCFullYear(), d.getUTCMonth() + 1)),
  DATE_LEAPYEAR: fn(1, 2, (ctx, [v, zone], name) => {
    const t = parseDate(v);
    if (t === null) return invalidDate(ctx, name);
    const local = inZone(ctx, name, t, zone);
    return local === null ? null : isLeap(new Date(local).getUTCFullYear());
  }),
  DATE_ADD: fn(2, 4, (ctx, args, name) => shift(ctx, name, args, 1)),
  DATE_SUBTRACT: fn(2, 4, (ctx, args, name) => shift(ctx, name, args, -1)),
  DATE_DIFF: fn(3, 6, (ctx, args, name) => {
    // a string in the asFloat position is the first time zone (the documented `DATE_DIFF(a, b, unit, zone)`)
    const [a, b, u, asFloat, za, zb] = typeof args[3] === 'string' ? [args[0], args[1], args[2], false, args[3], args[4]] : args;
    const ua = parseDate(a);
    const ub = parseDate(b);
    const unit = unitOf(u);
    if (ua === null || ub === null || unit === null) return invalidDate(ctx, name);
    // DATE_DIFF(a, b, unit, asFloat, zoneA[, zoneB]): zoneB defaults to zoneA
    const ta = inZone(ctx, name, ua, za);
    const tb = inZone(ctx, name, ub, zb ?? za);
    if (ta === null || tb === null) return null;
    let r: number;
    if (unit === 'y') r = monthsBetween(ta, tb) / 12;
    else if (unit === 'm') r = monthsBetween(ta, tb);
    else r = (tb - ta) / UNIT_MS[unit];
    return asFloat === true ? r : Math.trunc(r);
  }),
  DATE_TRUNC: fn(2, 3, (ctx, [v, u, zone], name) => {
    const utc = parseDate(v);
    const unit = unitOf(u);
    if (utc === null || unit === null) return invalidDate(ctx, name);
    const t = inZone(ctx, name, utc, zone);
    if (t === null) return null;
    const d = new Date(t);
    const f = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()];
    const keep: Record<Unit, number> = { y: 1, m: 2, w: 3, d: 3, h: 4, i: 5, s: 6, f: 7 };
    const parts = f.map((x, i) => (i < keep[unit] ? x : i === 2 ? 1 : 0));
    return isoString(fromZone(Date.UTC(parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 1, parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0, parts[6] ?? 0), zone));
  }),
  DATE_FORMAT: fn(2, 3, (ctx, [v, f, zone], name) => {
    const t = parseDate(v);
    if (t === null) return invalidDate(ctx, name);
    const local = inZone(ctx, name, t, zone);
    return local === null ? null : format(local, toStringValue(f));
  }),
  DATE_COMPARE: fn(3, 6, (ctx, [a, b, s, e, za, zb], name) => {
    const ua = parseDate(a);
    const ub = parseDate(b);
    const us = unitOf(s);
    const ue = e === undefined || e === null ? us : unitOf(e);
    if (ua === null || ub === null || us === null || ue === null) return invalidDate(ctx, name);
    // DATE_COMPARE(a, b, start, end, zoneA[, zoneB]): zoneB defaults to zoneA
    const ta = inZone(ctx, name, ua, za);
    const tb = inZone(ctx, name, ub, zb ?? za);
    if (ta === null || tb === null) return null;
    const order: Unit[] = ['y', 'm', 'd', 'h', 'i', 's', 'f'];
    const da = new Date(ta);
    const db = new Date(tb);
    const get = (d: Date, u: Unit): number => [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()][order.indexOf(u)] ?? 0;
    for (let i = order.indexOf(us); i <= order.indexOf(ue); i++) {
      const u = order[i];
      if (u !== undefined && get(da, u) !== get(db, u)) return false;
    }
    return true;
  }),
};
