import type { Logger } from 'pino';
import type { AgencyKv } from '../agency/index.ts';

/** `foxxmaster` in etcd: the coordinator that runs the Foxx queues. */
export interface FoxxmasterValue {
  readonly id: string;
  readonly endpoint: string;
}

/** What a {@link FoxxmasterElection} needs. */
export interface FoxxmasterDeps {
  readonly kv: AgencyKv;
  /** `/kitsune/<deployment>/foxxmaster`. */
  readonly key: string;
  readonly serverId: string;
  readonly endpoint: () => string;
  /** `--foxx.queues`: false = never a candidate (ArangoDB elected such coordinators, issue #12642). */
  readonly candidate: boolean;
  readonly onChange: (isMaster: boolean) => void;
  readonly log: Logger;
}

const CHECK_MS = 1000;

/**
 * One Foxxmaster among the coordinators: the `foxxmaster` key, created only when absent and bound
 * to the creator's etcd lease, so it vanishes when that coordinator dies (≤ lease TTL) and the
 * watching candidates race to create it again. Coordinators started with `--foxx.queues false`
 * only read it.
 */
export class FoxxmasterElection {
  readonly #d: FoxxmasterDeps;
  #current: FoxxmasterValue | null = null;
  #isMaster = false;
  #timer: NodeJS.Timeout | undefined;
  #watch: { cancel(): void } | undefined;
  #busy = false;

  constructor(deps: FoxxmasterDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#watch = this.#d.kv.watchPrefixValues(this.#d.key, () => void this.check(), () => void this.check());
    this.#timer = setInterval(() => void this.check(), CHECK_MS);
    this.#timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#watch?.cancel();
    if (this.#isMaster) void this.#d.kv.deleteIf(this.#d.key, this.#current).catch(() => undefined);
    this.#set(null);
  }

  /** The Foxxmaster's id as last seen (null while there is none or etcd cannot be read). */
  get foxxmaster(): string | null {
    return this.#current?.id ?? null;
  }

  get isFoxxmaster(): boolean {
    return this.#isMaster;
  }

  /** Reads the key; a candidate creates it when absent. */
  async check(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      let value = asValue(await this.#d.kv.get(this.#d.key));
      if (value === null && this.#d.candidate) {
        const mine: FoxxmasterValue = { id: this.#d.serverId, endpoint: this.#d.endpoint() };
        if (await this.#d.kv.createLeased(this.#d.key, mine)) {
          this.#d.log.info({ serverId: this.#d.serverId }, 'this coordinator is the Foxxmaster');
          value = mine;
        } else value = asValue(await this.#d.kv.get(this.#d.key));
      }
      this.#set(value);
    } catch (err) {
      this.#d.log.debug({ err }, 'Foxxmaster check failed');
    } finally {
      this.#busy = false;
    }
  }

  #set(value: FoxxmasterValue | null): void {
    this.#current = value;
    const isMaster = value !== null && value.id === this.#d.serverId;
    if (isMaster !== this.#isMaster) {
      this.#isMaster = isMaster;
      this.#d.onChange(isMaster);
    }
  }
}

function asValue(v: unknown): FoxxmasterValue | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  return typeof r['id'] === 'string' && typeof r['endpoint'] === 'string' ? { id: r['id'], endpoint: r['endpoint'] } : null;
}
