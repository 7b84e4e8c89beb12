/** How failed logins are limited (from `--auth.max-failed-logins` and `--auth.failed-login-window`). */
export interface LoginThrottleSettings {
  readonly maxFailures: number;
  readonly windowMs: number;
}

const MAX_TRACKED = 100_000;

/**
 * Counts failed logins per client address and user name in a fixed window. Once a pair has
 * `maxFailures` failures, every further attempt of that pair is refused without hashing until the
 * window ends: guessing costs the attacker time and the server nothing. Other clients and other
 * users are not affected (a flood cannot lock out a user elsewhere).
 */
export class LoginThrottle {
  readonly #settings: LoginThrottleSettings;
  readonly #failures = new Map<string, { count: number; windowEnd: number }>();

  constructor(settings: LoginThrottleSettings) {
    this.#settings = settings;
  }

  /** Milliseconds until the pair may try again, or 0 when it may try now. */
  blockedForMs(client: string, user: string, now = Date.now()): number {
    if (this.#settings.maxFailures <= 0) return 0;
    const f = this.#failures.get(key(client, user));
    if (!f) return 0;
    if (f.windowEnd <= now) {
      this.#failures.delete(key(client, user));
      return 0;
    }
    return f.count >= this.#settings.maxFailures ? f.windowEnd - now : 0;
  }

  recordFailure(client: string, user: string, now = Date.now()): void {
    const k = key(client, user);
    const f = this.#failures.get(k);
    if (f && f.windowEnd > now) {
      f.count++;
      return;
    }
    if (this.#failures.size >= MAX_TRACKED) {
      // drop the oldest entry (Map keeps insertion order): memory stays bounded under a flood
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.set(k, { count: 1, windowEnd: now + this.#settings.windowMs });
  }

  recordSuccess(client: string, user: string): void {
    this.#failures.delete(key(client, user));
  }
}

function key(client: string, user: string): string {
  return `${client}\u0000${user}`;
}
