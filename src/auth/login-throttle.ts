/** How failed logins are limited (from `--auth.max-failed-logins` and `--auth.failed-login-window`). */
export interface LoginThrottleSettings {
  /** Failures of one client for one user name before that pair is refused for the rest of the window. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** What a login attempt may do now. */
export interface LoginAdmission {
  /** Refused without checking the password. */
  readonly refused: boolean;
  /** Milliseconds to wait before the password is checked (a noisy client, a user under attack). */
  readonly delayMs: number;
  /** Call once the attempt is over (frees the slot of a slowed-down client). */
  readonly done: () => void;
}

const MAX_TRACKED = 100_000;
/** Failures of one client over all user names, in units of `maxFailures`, before it is slowed down. */
const CLIENT_FACTOR = 5;
/** Failures of one user name over all clients, in units of `maxFailures`, before it is slowed down. */
const USER_FACTOR = 10;
/** The delay of a slowed-down attempt. */
const SLOW_DELAY_MS = 1000;
/** Attempts a slowed-down client may have under way; more are refused. */
const SLOW_IN_FLIGHT = 2;
const NOTHING = (): void => undefined;

interface Window {
  count: number;
  windowEnd: number;
}

/**
 * Counts failed logins in fixed windows, three ways:
 * - per client address and user name: after `maxFailures` that pair is refused without hashing
 *   until the window ends, so guessing one user's password costs the attacker time and the
 *   server nothing;
 * - per client over all user names (`CLIENT_FACTOR` × as many): a client that tries many names or
 *   sprays one password over them is slowed down (a second per attempt, two at a time, the rest
 *   refused), so it cannot fill the hash queue; its correct logins still work, only slower;
 * - per user name over all clients (`USER_FACTOR` × as many): attempts are slowed down by a
 *   second each, never refused, so a distributed flood cannot lock the real user out.
 * Behind a coordinator the client is the address the coordinator forwards (signed), so one
 * client's guesses do not lock out everybody else who logs in through that coordinator.
 */
export class LoginThrottle {
  readonly #settings: LoginThrottleSettings;
  readonly #pairs = new Map<string, Window>();
  readonly #clients = new Map<string, Window>();
  readonly #users = new Map<string, Window>();
  readonly #inFlight = new Map<string, number>();

  constructor(settings: LoginThrottleSettings) {
    this.#settings = settings;
  }

  /** Whether an attempt of `client` for `user` may be checked now, and after how long. */
  admit(client: string, user: string, now = Date.now()): LoginAdmission {
    const max = this.#settings.maxFailures;
    if (max <= 0) return { refused: false, delayMs: 0, done: NOTHING };
    if (count(this.#pairs, pairKey(client, user), now) >= max) return { refused: true, delayMs: 0, done: NOTHING };
    const slowUser = count(this.#users, user, now) >= max * USER_FACTOR;
    if (count(this.#clients, client, now) < max * CLIENT_FACTOR) return { refused: false, delayMs: slowUser ? SLOW_DELAY_MS : 0, done: NOTHING };
    const busy = this.#inFlight.get(client) ?? 0;
    if (busy >= SLOW_IN_FLIGHT) return { refused: true, delayMs: 0, done: NOTHING };
    this.#inFlight.set(client, busy + 1);
    let released = false;
    const done = (): void => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(client) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(client);
      else this.#inFlight.set(client, left);
    };
    return { refused: false, delayMs: SLOW_DELAY_MS, done };
  }

  recordFailure(client: string, user: string, now = Date.now()): void {
    const windowMs = this.#settings.windowMs;
    bump(this.#pairs, pairKey(client, user), now, windowMs);
    bump(this.#clients, client, now, windowMs);
    bump(this.#users, user, now, windowMs);
  }

  /** A correct password clears the pair's failures (not the client's or the user's: other attempts stay counted). */
  recordSuccess(client: string, user: string): void {
    this.#pairs.delete(pairKey(client, user));
  }
}

function count(map: Map<string, Window>, key: string, now: number): number {
  const w = map.get(key);
  if (w === undefined) return 0;
  if (w.windowEnd <= now) {
    map.delete(key);
    return 0;
  }
  return w.count;
}

function bump(map: Map<string, Window>, key: string, now: number, windowMs: number): void {
  const w = map.get(key);
  if (w !== undefined && w.windowEnd > now) {
    w.count++;
    return;
  }
  if (w === undefined && map.size >= MAX_TRACKED) {
    // drop the oldest entry (Map keeps insertion order): memory stays bounded under a flood
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, { count: 1, windowEnd: now + windowMs });
}

function pairKey(client: string, user: string): string {
  return `${client}\u0000${user}`;
}
