/**
 * IANA time zones from the runtime's ICU data (`Intl.DateTimeFormat`): the offset of a zone at an
 * instant, and the instant of a local wall-clock time. Date functions with a time-zone argument
 * compute on the local wall time (a UTC timestamp shifted by the offset) and shift back.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a zone, or null when the runtime does not know the zone name. */
function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
  } catch {
    return null;
  }
  formatters.set(zone, f);
  return f;
}

/** True when `zone` is a time zone name the runtime knows. */
export function isTimeZone(zone: string): boolean {
  return formatter(zone) !== null;
}

/** Offset of `zone` from UTC at instant `t` (ms since the epoch), in ms; null for an unknown zone. */
export function zoneOffsetMs(t: number, zone: string): number | null {
  const f = formatter(zone);
  if (f === null) return null;
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t))) parts[p.type] = p.value;
  let year = Number(parts['year']);
  if (parts['era'] === 'BC' || parts['era'] === 'B') year = 1 - year;
  const wall = Date.UTC(year, Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
  const wallFixed = year >= 0 && year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
  return wallFixed - (t - (((t % 1000) + 1000) % 1000));
}

/** Local wall time of instant `t` in `zone`, as a UTC-based timestamp; null for an unknown zone. */
export function utcToLocal(t: number, zone: string): number | null {
  const off = zoneOffsetMs(t, zone);
  return off === null ? null : t + off;
}

/** Instant of local wall time `local` in `zone` (the earlier one in a fold); null for an unknown zone. */
export function localToUtc(local: number, zone: string): number | null {
  const first = zoneOffsetMs(local, zone);
  if (first === null) return null;
  let t = local - first;
  const second = zoneOffsetMs(t, zone) ?? first;
  if (second !== first) t = local - second;
  return t;
}

/**
 * The zone's offset period around `t`: its offset and the instants it begins and ends (found by a
 * day-wise search within 400 days, then bisection); null ends when no change is that close.
 */
export function zonePeriod(t: number, zone: string): { offsetMs: number; beginMs: number | null; endMs: number | null } | null {
  const offsetMs = zoneOffsetMs(t, zone);
  if (offsetMs === null) return null;
  const edge = (dir: 1 | -1): number | null => {
    const day = 86400000;
    let step = 0;
    let far = t;
    // find a day within a year where the offset changes, then bisect to the millisecond
    for (step = 1; step <= 400; step++) {
      far = t + dir * step * day;
      if (zoneOffsetMs(far, zone) !== offsetMs) break;
    }
    if (step > 400) return null;
    let inside = t + dir * (step - 1) * day;
    let outside = far;
    while (Math.abs(outside - inside) > 1000) {
      const mid = Math.floor((inside + outside) / 2);
      if (zoneOffsetMs(mid, zone) === offsetMs) inside = mid;
      else outside = mid;
    }
    // transitions fall on whole seconds: the first second of the later offset
    const earlier = Math.min(inside, outside);
    return Math.ceil((earlier + 1) / 1000) * 1000;
  };
  return { offsetMs, beginMs: edge(-1), endMs: edge(1) };
}
