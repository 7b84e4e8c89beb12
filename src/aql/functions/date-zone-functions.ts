import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { toNumber, toStringValue } from '../values.ts';
import { fromZone, inZone, invalidDate, isoString, isoWeek, parseDate } from './date-functions.ts';
import { isTimeZone, localToUtc, zonePeriod } from './time-zones.ts';

const ROUND_UNIT_MS: Readonly<Record<string, number>> = {
  d: 86400000, day: 86400000, days: 86400000, h: 3600000, hour: 3600000, hours: 3600000,
  i: 60000, minute: 60000, minutes: 60000, s: 1000, second: 1000, seconds: 1000, f: 1, millisecond: 1, milliseconds: 1,
};

function zoneName(t: number, zone: string): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' }).formatToParts(new Date(t)).find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** The `zoneInfo` object of DATE_UTCTOLOCAL / DATE_LOCALTOUTC (offset in seconds). */
function zoneInfo(t: number, zone: string): Record<string, unknown> {
  const period = zonePeriod(t, zone);
  const year = new Date(t).getUTCFullYear();
  const jan = zonePeriod(Date.UTC(year, 0, 1), zone)?.offsetMs ?? 0;
  const jul = zonePeriod(Date.UTC(year, 6, 1), zone)?.offsetMs ?? 0;
  const offsetMs = period?.offsetMs ?? 0;
  const iso = (x: number | null | undefined): string | null => (x === null || x === undefined ? null : isoString(x));
  return {
    name: zoneName(t, zone),
    begin: iso(period?.beginMs),
    end: iso(period?.endMs),
    dst: offsetMs > Math.min(jan, jul),
    offset: offsetMs / 1000,
  };
}

function zoneArg(ctx: FunctionContext, name: string, zone: unknown): string | null {
  if (typeof zone === 'string' && isTimeZone(zone)) return zone;
  ctx.warn(1542, `invalid argument type in call to function '${name}()': unknown time zone`);
  return null;
}

/** Date functions with IANA time zones (DATE_UTCTOLOCAL, DATE_LOCALTOUTC) and DATE_ROUND, DATE_ISOWEEKYEAR. */
export const DATE_ZONE_FUNCTIONS: FunctionTable = {
  DATE_UTCTOLOCAL: fn(2, 3, (ctx, [v, z, withInfo], name) => {
    const t = parseDate(v);
    if (t === null) return invalidDate(ctx, name);
    const zone = zoneArg(ctx, name, z);
    if (zone === null) return null;
    const local = inZone(ctx, name, t, zone);
    if (local === null) return null;
    const text = isoString(local).slice(0, -1);
    if (withInfo !== true) return text;
    return { local: text, tzdb: process.versions.tz ?? null, zoneInfo: zoneInfo(t, zone) };
  }),
  DATE_LOCALTOUTC: fn(2, 3, (ctx, [v, z, withInfo], name) => {
    // the input is a wall-clock time in the zone; an offset suffix is ignored, as in ArangoDB
    const local = parseDate(typeof v === 'string' ? v.replace(/(Z|[+-]\d{2}(:?\d{2})?)$/i, '') : v);
    if (local === null) return invalidDate(ctx, name);
    const zone = zoneArg(ctx, name, z);
    if (zone === null) return null;
    const t = localToUtc(local, zone);
    if (t === null) return null;
    const text = isoString(t);
    if (withInfo !== true) return text;
    return { utc: text, tzdb: process.versions.tz ?? null, zoneInfo: zoneInfo(t, zone) };
  }),
  DATE_ROUND: fn(3, 4, (ctx, [v, amount, unit, zone], name) => {
    const utc = parseDate(v);
    if (utc === null) return invalidDate(ctx, name);
    const t = inZone(ctx, name, utc, zone);
    if (t === null) return null;
    const ms = ROUND_UNIT_MS[toStringValue(unit).toLowerCase()];
    const n = Math.trunc(toNumber(amount));
    if (ms === undefined || n < 1) return invalidArg(ctx, name);
    const step = ms * n;
    return isoString(fromZone(Math.floor(t / step) * step, zone));
  }),
  DATE_ISOWEEKYEAR: fn(1, 2, (ctx, [v, zone], name) => {
    const utc = parseDate(v);
    if (utc === null) return invalidDate(ctx, name);
    const t = inZone(ctx, name, utc, zone);
    if (t === null) return null;
    const d = new Date(t);
    const week = isoWeek(d);
    const month = d.getUTCMonth();
    const year = d.getUTCFullYear() + (week === 1 && month === 11 ? 1 : week >= 52 && month === 0 ? -1 : 0);
    return { week, year };
  }),
  DATE_TIMEZONE: fn(0, 0, () => Intl.DateTimeFormat().resolvedOptions().timeZone, false),
  DATE_TIMEZONES: fn(0, 0, () => Intl.supportedValuesOf('timeZone')),
};
