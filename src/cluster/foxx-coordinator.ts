import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AgencyKv } from '../agency/index.ts';
import { ArangoError } from '../errors/index.ts';
import { endpointAllowed, httpRequest, type FoxxConfig } from '../foxx/foxx-runtime.ts';
import { ServiceManager } from '../foxx/manager.ts';
import type { HostCall } from '../foxx/runtime/protocol.ts';
import { ServiceFiles } from '../foxx/service-files.ts';
import { remoteHostCall } from './foxx-host-calls.ts';
import { RemoteServiceStore } from './foxx-remote-store.ts';
import { callServer } from './forward.ts';
import type { ServerRecord } from './cluster-registry.ts';

/** What Foxx on a coordinator needs from the coordinator and the agency. */
export interface CoordinatorFoxxDeps {
  readonly serverId: string;
  readonly endpoint: () => string;
  readonly superuser: () => string;
  readonly leaderEndpoint: (database: string) => Promise<string>;
  readonly databaseNames: () => string[];
  readonly hasDatabase: (name: string) => boolean;
  /** The live coordinators (this one included). */
  readonly coordinators: () => ServerRecord[];
  readonly kv: AgencyKv;
  /** `/kitsune/<deployment>/`. */
  readonly agencyRoot: string;
  readonly config: FoxxConfig;
  /** Called after a service queued a job (wakes the Foxxmaster). */
  readonly onJobPushed?: () => void;
  readonly log: Logger;
}

/** A service as `/_admin/cluster/foxx` reports it for one coordinator. */
export interface RolloutService {
  readonly database: string;
  readonly mount: string;
  readonly signature: string;
  readonly checksum: string;
  readonly state: 'ready' | 'healing' | 'broken';
  readonly error?: string;
}

/** ArangoDB waits 10 s; a heal that loads a new service process can take longer on a busy machine. */
const PEER_HEAL_TIMEOUT_MS = 30_000;

/**
 * The Foxx services of one coordinator (spec foxx.md §5, issue #9 §3). Services run here, in the
 * same service processes as on a single server (`src/foxx`); their metadata lives in `_apps` /
 * `_appbundles` of each database on its leader DB-server, reached over HTTP; bundles are kept in
 * `<data-dir>/foxx`. Every change made through this coordinator ends with {@link propagate}: a new
 * per-database generation in etcd (every coordinator watches them) and a direct
 * `POST /_api/foxx/_local/heal` to each peer. A periodic heal (`--foxx.heal-interval`) catches what
 * both missed. Service `db` calls go to the database's leader (`foxx-host-calls.ts`).
 */
export class CoordinatorFoxx {
  readonly manager: ServiceManager;
  readonly store: RemoteServiceStore;
  readonly #d: CoordinatorFoxxDeps;
  readonly #heals = new Map<string, { running: Promise<void> | null; again: Promise<void> | null }>();
  readonly #byGeneration = new Map<string, { generation: string; done: Promise<void> }>();
  #healed = false;
  #timer: NodeJS.Timeout | undefined;
  #watch: { cancel(): void } | undefined;

  constructor(deps: CoordinatorFoxxDeps) {
    this.#d = deps;
    const config = deps.config;
    const files = new ServiceFiles(path.join(config.dataDir, 'foxx'));
    this.store = new RemoteServiceStore({ leaderEndpoint: deps.leaderEndpoint, superuser: deps.superuser, files });
    const host = async (call: HostCall): Promise<unknown> => {
      if (call.op === 'http.request') {
        if (!endpointAllowed(String(call.args.url), config.endpointsAllowlist ?? [])) {
          throw new ArangoError('ERROR_FORBIDDEN', `not allowed to connect to this URL: ${String(call.args.url)}`);
        }
        return httpRequest(call.args);
      }
      // documents, collections, AQL and queue operations run on the database's leader
      const value = await remoteHostCall(await deps.leaderEndpoint(call.database), deps.superuser(), call);
      if (call.op === 'job.push') deps.onJobPushed?.();
      return value;
    };
    this.manager = new ServiceManager(
      { store: this.store, databaseNames: deps.databaseNames, hasDatabase: deps.hasDatabase },
      {
        appPath: files.appPath,
        workers: config.foxxWorkers,
        memoryMb: config.foxxMemoryMb,
        requestTimeoutMs: config.foxxRequestTimeoutMs,
        allowRemote: config.foxxAllowRemote,
        ...(config.foxxMaxExtractedBytes === undefined ? {} : { maxExtractedBytes: config.foxxMaxExtractedBytes }),
      },
      host,
      deps.log,
    );
  }

  /** True once the first heal of every database ran (service routes answer 503 before). */
  get healed(): boolean {
    return this.#healed;
  }

  #generationKey(database: string): string {
    return `${this.#d.agencyRoot}foxx/generation/${database}`;
  }

  /** First heal of every database (the coordinator is ready after it), then the watch and the periodic heal. */
  async start(): Promise<void> {
    await this.healAll();
    this.#healed = true;
    this.#watch = this.#d.kv.watchPrefixValues(
      `${this.#d.agencyRoot}foxx/generation/`,
      (database, value) => {
        const v = (value ?? {}) as { by?: unknown; generation?: unknown };
        if (v.by !== this.#d.serverId) this.healGeneration(database, typeof v.generation === 'string' ? v.generation : undefined).catch((err: unknown) => this.#d.log.warn({ err, database }, 'Foxx heal after a generation change failed'));
      },
    );
    this.#timer = setInterval(() => void this.healAll(), this.#d.config.foxxHealIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#watch?.cancel();
    await this.manager.close();
  }

  /**
   * Heals one database (step 8): fetch `_apps`, download the bundles whose signature differs from
   * the local copy, then the manager reloads what changed and removes what is gone. Heals of one
   * database never overlap; a heal asked for while one runs runs once more afterwards.
   */
  heal(database: string): Promise<void> {
    let s = this.#heals.get(database);
    if (s === undefined) {
      s = { running: null, again: null };
      this.#heals.set(database, s);
    }
    const state = s;
    if (state.running === null) {
      state.running = this.#healOnce(database).finally(() => {
        state.running = null;
      });
      return state.running;
    }
    state.again ??= state.running.catch(() => undefined).then(() => {
      state.again = null;
      return this.heal(database);
    });
    return state.again;
  }

  hasDatabase(name: string): boolean {
    return this.#d.hasDatabase(name);
  }

  /**
   * A heal for one published generation: the etcd watch and the direct call of the same change
   * share one heal instead of running two.
   */
  healGeneration(database: string, generation: string | undefined): Promise<void> {
    if (generation === undefined) return this.heal(database);
    const last = this.#byGeneration.get(database);
    if (last?.generation === generation) return last.done;
    const done = this.heal(database);
    this.#byGeneration.set(database, { generation, done });
    return done;
  }

  /** True while a heal of `database` runs or waits. */
  isHealing(database: string): boolean {
    const s = this.#heals.get(database);
    return s !== undefined && (s.running !== null || s.again !== null);
  }

  async #healOnce(database: string): Promise<void> {
    if (!this.#d.hasDatabase(database)) {
      this.store.forget(database);
      await this.manager.heal(database);
      return;
    }
    // the copy of `_apps` changes only under the manager's lock: an install that checked for an
    // existing mount writes against the same view (so a concurrent install elsewhere yields 3011)
    await this.manager.exclusive(async () => {
      await this.store.refresh(database);
      await this.store.prefetch(database);
    });
    try {
      await this.manager.heal(database);
    } finally {
      this.store.releaseBundles(database);
    }
  }

  /** Heals every planned database (and drops services of databases that are gone). */
  async healAll(): Promise<void> {
    for (const database of new Set([...this.#d.databaseNames(), ...this.#heals.keys()])) {
      try {
        await this.heal(database);
      } catch (err) {
        this.#d.log.warn({ err, database }, 'Foxx self-heal failed');
      }
    }
  }

  /**
   * Step 7 after a change stored through this coordinator: a new generation of the database in
   * etcd (watched by every coordinator) and a direct heal request to every live peer, awaited, so
   * the client's answer comes after every reachable coordinator serves the change.
   */
  async propagate(database: string): Promise<void> {
    const generation = randomUUID();
    const bump = this.#d.kv.put(this.#generationKey(database), { by: this.#d.serverId, at: Date.now(), generation }, false).catch((err: unknown) =>
      this.#d.log.warn({ err, database }, 'could not publish the Foxx generation (peers heal on the direct call or the periodic heal)'),
    );
    const peers = this.#d.coordinators().filter((c) => c.id !== this.#d.serverId);
    await Promise.all([
      bump,
      ...peers.map(async (peer) => {
        try {
          const r = await fetch(`${peer.endpoint}/_db/${encodeURIComponent(database)}/_api/foxx/_local/heal`, {
            method: 'POST',
            headers: { authorization: this.#d.superuser(), 'content-type': 'application/json' },
            body: JSON.stringify({ generation }),
            signal: AbortSignal.timeout(PEER_HEAL_TIMEOUT_MS),
          });
          await r.arrayBuffer();
          if (r.status >= 300) this.#d.log.warn({ peer: peer.id, status: r.status, database }, 'peer Foxx heal failed');
        } catch (err) {
          this.#d.log.warn({ err, peer: peer.id, database }, 'peer Foxx heal failed');
        }
      }),
    ]);
  }

  /** This coordinator's services as the rollout status reports them. */
  localStatus(): { id: string; endpoint: string; services: RolloutService[] } {
    const services: RolloutService[] = [];
    for (const database of this.#d.databaseNames()) {
      const healing = !this.#healed || this.isHealing(database);
      for (const s of this.manager.services(database)) {
        const broken = s.error !== undefined;
        // healing: a heal runs that will change this service (its `_apps` document differs from the loaded one)
        const stale = healing && this.store.app(database, s.mount)?._rev !== s.app._rev;
        services.push({
          database,
          mount: s.mount,
          signature: s.app.sha256 ?? s.app.checksum,
          checksum: s.app.checksum,
          state: stale ? 'healing' : broken ? 'broken' : 'ready',
          ...(broken ? { error: s.error?.message ?? '' } : {}),
        });
      }
    }
    return { id: this.#d.serverId, endpoint: this.#d.endpoint(), services };
  }

  /** `GET /_admin/cluster/foxx`: every live coordinator's services (peers asked in parallel). */
  async rolloutStatus(): Promise<{ coordinators: unknown[] }> {
    const all = this.#d.coordinators();
    const peers = await Promise.all(
      all.map(async (c) => {
        if (c.id === this.#d.serverId) return this.localStatus();
        try {
          const r = await callServer(c.endpoint, 'GET', '/_api/foxx/_local/status', this.#d.superuser());
          if (r.status === 200) return r.body;
          return { id: c.id, endpoint: c.endpoint, services: [], error: `answered ${r.status}` };
        } catch (err) {
          return { id: c.id, endpoint: c.endpoint, services: [], error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    if (!all.some((c) => c.id === this.#d.serverId)) peers.unshift(this.localStatus());
    return { coordinators: peers };
  }
}
