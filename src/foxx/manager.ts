import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ArangoError, isArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { prepareService, type ServiceSource } from './bundle.ts';
import { parseManifest, type ServiceManifest } from './manifest.ts';
import { validateMount } from './mount.ts';
import { applyConfiguration, applyDependencies, needsConfiguration, parseConfiguration, type RawConfiguration, type RawDependencies } from './options.ts';
import type { FoxxRequestData, FoxxResponseData } from './router/index.ts';
import type { ServiceSpec } from './runtime/protocol.ts';
import { WorkerPool, type HostHandler } from './runtime/worker-pool.ts';
import { ServiceFiles, syntaxCheck } from './service-files.ts';
import { localBackend, type AppDocument, type FoxxBackend, type ServiceStoreApi } from './service-store.ts';
import { bundleChecksum, sha256Hex } from './signature.ts';

/** Settings of the Foxx runtime (from `--foxx.*`). */
export interface FoxxSettings {
  readonly appPath: string;
  readonly workers: number;
  readonly memoryMb: number;
  readonly requestTimeoutMs: number;
  readonly allowRemote: boolean;
  /** Bundles kept per mount in `_appbundles` for rollback (`--foxx.keep-versions`). */
  readonly keepVersions?: number;
  /** Largest extracted size of a bundle being installed (checked while extracting). */
  readonly maxExtractedBytes?: number;
  /** lmdb path of the storage (direct reads in workers); omitted → every read goes through the main thread. */
  readonly lmdbPath?: string;
}

/** A service as the main thread knows it. */
export interface ServiceState {
  readonly database: string;
  readonly mount: string;
  readonly app: AppDocument;
  readonly manifest: ServiceManifest;
  readonly legacy: boolean;
  readonly spec: ServiceSpec;
  /** Set when the service is broken (load failed); its routes answer with this error. */
  readonly error: Error | undefined;
}

/** Where a new version comes from: bytes, a server path, or an http(s) URL. */
export type InstallSource = ServiceSource | { readonly url: string };

/** Options of install / replace / upgrade. */
export interface LifecycleOptions {
  readonly setup?: boolean;
  readonly teardown?: boolean;
  readonly force?: boolean;
  readonly development?: boolean;
  readonly legacy?: boolean;
  readonly configuration?: Readonly<Record<string, unknown>>;
  readonly dependencies?: Readonly<Record<string, unknown>>;
}

interface Prepared {
  readonly tmp: string;
  readonly root: string;
  readonly bundle: Buffer;
  readonly checksum: string;
  readonly sha256: string;
  readonly manifest: ServiceManifest;
  readonly legacy: boolean;
}

const keyOf = (database: string, mount: string): string => `${database}\u0000${mount}`;

/**
 * The service manager of one server: lifecycle (install/replace/upgrade/uninstall), options,
 * development mode, scripts, tests, self-heal, and dispatching requests to the worker pool.
 * Persistent state is `_apps`/`_appbundles`; the folders below `appPath` are a cache rebuilt by heal.
 */
export class ServiceManager {
  readonly store: ServiceStoreApi;
  readonly files: ServiceFiles;
  readonly pool: WorkerPool;
  readonly settings: FoxxSettings;
  readonly #engine: Pick<FoxxBackend, 'databaseNames' | 'hasDatabase'>;
  readonly #log: Logger;
  readonly #services = new Map<string, ServiceState>();
  /** Whether a service state needs configuration before it serves (per state object). */
  readonly #unconfigured = new WeakMap<ServiceState, boolean>();
  readonly #mountListeners = new Set<(mount: string) => void>();
  readonly #unloadListeners = new Set<(database: string, mount: string) => void>();
  #lock: Promise<unknown> = Promise.resolve();

  /** `engine`: the server's own storage, or a {@link FoxxBackend} (a coordinator reaching `_apps` over the network). */
  constructor(engine: StorageEngine | FoxxBackend, settings: FoxxSettings, host: HostHandler, log: Logger) {
    const backend = 'store' in engine ? engine : localBackend(engine);
    this.#engine = backend;
    this.#log = log;
    this.settings = settings;
    this.store = backend.store;
    this.files = new ServiceFiles(settings.appPath);
    this.pool = new WorkerPool({
      size: settings.workers,
      memoryMb: settings.memoryMb,
      requestTimeoutMs: settings.requestTimeoutMs,
      host,
      services: () => [...this.#services.values()].map((s) => s.spec),
      log,
      ...(settings.lmdbPath === undefined ? {} : { lmdbPath: settings.lmdbPath }),
    });
  }

  /** Called with every mount that gets a service (the HTTP layer adds routes for it). */
  onMount(listener: (mount: string) => void): void {
    this.#mountListeners.add(listener);
    for (const s of this.#services.values()) listener(s.mount);
    // Mounts stored but not loaded yet (boot, before the first heal) get their routes now, so
    // they answer 503 instead of 404 until the heal has run.
    for (const db of this.#engine.databaseNames()) for (const app of this.store.apps(db)) listener(app.mount);
  }

  /** Called with every service that is gone (uninstalled, or removed by heal). */
  onUnload(listener: (database: string, mount: string) => void): void {
    this.#unloadListeners.add(listener);
  }

  /** Serialises lifecycle changes (two installs never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(fn, fn);
    this.#lock = next.catch(() => undefined);
    return next;
  }

  services(database: string): ServiceState[] {
    return [...this.#services.values()].filter((s) => s.database === database).sort((a, b) => (a.mount < b.mount ? -1 : 1));
  }

  state(database: string, mount: string): ServiceState | undefined {
    return this.#services.get(keyOf(database, mount));
  }

  /** The state of an installed service; 400/3009 `No service installed…` otherwise (spec §2.1). */
  require(database: string, mount: string): ServiceState {
    const s = this.state(database, mount);
    if (s === undefined) throw new ArangoError('ERROR_SERVICE_NOT_FOUND', `No service installed at mount path "${mount}".`, { httpStatus: 400 });
    return s;
  }

  /** The service owning a request path (longest mount prefix), with the path below the mount. */
  route(database: string, urlPath: string): { state: ServiceState; rest: string } | undefined {
    let best: ServiceState | undefined;
    for (const s of this.#services.values()) {
      if (s.database !== database) continue;
      if ((urlPath === s.mount || urlPath.startsWith(`${s.mount}/`)) && (best === undefined || s.mount.length > best.mount.length)) best = s;
    }
    return best === undefined ? undefined : { state: best, rest: urlPath.slice(best.mount.length) || '/' };
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async #resolveSource(source: InstallSource): Promise<ServiceSource> {
    if (!('url' in source)) return source;
    if (!this.settings.allowRemote) {
      throw new ArangoError('ERROR_SERVICE_SOURCE_ERROR', `error resolving source\nInstalling from remote URLs is disabled (--foxx.allow-install-from-remote).\nURL: ${source.url}`);
    }
    try {
      const res = await fetch(source.url);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      return new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      throw new ArangoError('ERROR_SERVICE_SOURCE_ERROR', `error resolving source\n${err instanceof Error ? err.message : String(err)}\nURL: ${source.url}`);
    }
  }

  async #prepare(database: string, mount: string, source: InstallSource): Promise<Prepared> {
    const tmp = await this.files.tempDir();
    try {
      const prepared = await prepareService(await this.#resolveSource(source), tmp, this.settings.maxExtractedBytes === undefined ? {} : { limits: { maxTotalBytes: this.settings.maxExtractedBytes } });
      const manifestFile = path.join(prepared.root, 'manifest.json');
      const { manifest, legacy } = parseManifest(await fs.readFile(manifestFile), { mount, filename: manifestFile });
      await syntaxCheck(prepared.root, manifest);
      return { tmp, root: prepared.root, bundle: prepared.bundle, checksum: prepared.checksum, sha256: prepared.sha256, manifest, legacy };
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  #spec(database: string, mount: string, root: string, manifest: ServiceManifest, options: AppDocument['options'], key = keyOf(database, mount)): ServiceSpec {
    return {
      key,
      database,
      mount,
      root,
      tmpDir: this.files.scratchDir(database, mount),
      manifest,
      configuration: parseConfiguration(manifest, options.configuration),
      dependencies: options.dependencies,
      development: options.development,
    };
  }

  async #runScript(spec: ServiceSpec, name: string, argv: unknown[], transient: boolean): Promise<unknown> {
    return this.pool.run({ type: 'script', key: spec.key, name, argv, ...(transient ? { spec } : {}) });
  }

  /**
   * Shared core of install/replace/upgrade: validate in the temp dir (main loaded once in a worker,
   * refused with 3103 unless `force`), old teardown, new setup, store bundle + `_apps`, place the
   * folder, load in every worker. Any failure before the store step leaves the old version serving.
   */
  async #deploy(database: string, mount: string, source: InstallSource, opts: LifecycleOptions, mode: 'install' | 'replace' | 'upgrade'): Promise<ServiceState> {
    const old = this.state(database, mount);
    const p = await this.#prepare(database, mount, source);
    const spares: string[] = [];
    try {
      const keep = mode === 'upgrade' && old !== undefined;
      const baseConfig: RawConfiguration = keep ? old.app.options.configuration : {};
      const baseDeps: RawDependencies = keep ? old.app.options.dependencies : {};
      const development = opts.development ?? (keep ? old.app.options.development : false);
      const config = applyConfiguration(p.manifest, baseConfig, opts.configuration ?? {}, { development });
      const deps = applyDependencies(p.manifest, baseDeps, opts.dependencies ?? {});
      const options = { development, configuration: config.raw, dependencies: deps.raw };
      const tempSpec = this.#spec(database, mount, p.root, p.manifest, options, `tmp:${path.basename(p.tmp)}`);
      // The serving process starts now, while the version validates (it runs no service code
      // before the `load` below takes it); a failed deploy kills it in `finally`.
      spares.push(keyOf(database, mount));
      this.pool.prewarm(this.#spec(database, mount, this.files.serviceDir(database, mount), p.manifest, options));
      const setupRuns = opts.setup !== false && p.manifest.scripts.setup !== undefined;
      if (p.manifest.main !== undefined) {
        try {
          const validating = this.pool.run({ type: 'validate', spec: tempSpec });
          // setup's throw-away process starts while main validates in its own
          spares.push(tempSpec.key);
          if (setupRuns) this.pool.prewarm(tempSpec);
          await validating;
        } catch (err) {
          if (opts.force !== true) throw err;
          this.#log.warn({ err, mount }, 'service main failed during validation (forced)');
        }
      }
      if (old !== undefined && opts.teardown === true && old.manifest.scripts.teardown !== undefined) {
        try {
          await this.#runScript(old.spec, 'teardown', [], false);
        } catch (err) {
          if (opts.force !== true && mode === 'upgrade') throw err;
          this.#log.warn({ err, mount }, 'teardown of the old version failed');
        }
      }
      if (setupRuns) {
        try {
          await this.#runScript(tempSpec, 'setup', [], true);
        } catch (err) {
          if (opts.force !== true) throw err;
          this.#log.warn({ err, mount }, 'setup failed (forced)');
        }
      }
      await this.store.putBundle(database, p.checksum, p.bundle);
      const app = await this.store.putApp(database, { mount, checksum: p.checksum, sha256: p.sha256, options });
      await this.store.recordVersion?.(database, mount, { signature: p.checksum, sha256: p.sha256, name: p.manifest.name ?? '', version: p.manifest.version ?? '' }, this.settings.keepVersions ?? 5);
      await this.files.placeFolder(database, mount, p.root, p.bundle);
      return await this.#load(database, app, p.manifest, p.legacy);
    } finally {
      for (const key of spares) this.pool.discard(key);
      await fs.rm(p.tmp, { recursive: true, force: true });
    }
  }

  /** Loads (or reloads) a service from its folder into every worker; failures mark it broken. */
  async #load(database: string, app: AppDocument, manifest?: ServiceManifest, legacy = false): Promise<ServiceState> {
    const root = this.files.serviceDir(database, app.mount);
    let m = manifest;
    let l = legacy;
    let error: Error | undefined;
    if (m === undefined) {
      try {
        const file = path.join(root, 'manifest.json');
        const parsed = parseManifest(await fs.readFile(file), { mount: app.mount, filename: file });
        m = parsed.manifest;
        l = parsed.legacy;
      } catch (err) {
        error = isArangoError(err) ? (err as unknown as Error) : new ArangoError('ERROR_SERVICE_FILES_MISSING', `service files missing\nMount: ${app.mount}`);
        m = parseManifest('{}').manifest;
      }
    }
    const spec = this.#spec(database, app.mount, root, m, app.options);
    if (error === undefined) {
      const outcomes = await this.pool.broadcast({ type: 'load', spec, runMain: !needsConfiguration(m, app.options.configuration, app.options.dependencies) });
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed !== undefined) error = failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    if (error !== undefined) this.#log.warn({ mount: app.mount, database, err: error.message }, 'service is broken');
    const state: ServiceState = { database, mount: app.mount, app, manifest: m, legacy: l, spec, error };
    this.#services.set(keyOf(database, app.mount), state);
    for (const listener of this.#mountListeners) listener(app.mount);
    return state;
  }

  async #unload(database: string, mount: string): Promise<void> {
    this.#services.delete(keyOf(database, mount));
    await this.pool.broadcast({ type: 'unload', key: keyOf(database, mount) });
    for (const listener of this.#unloadListeners) listener(database, mount);
  }

  install(database: string, mount: string, source: InstallSource, opts: LifecycleOptions): Promise<ServiceState> {
    return this.exclusive(async () => {
      validateMount(mount);
      if (this.store.app(database, mount) !== undefined || this.state(database, mount) !== undefined) {
        throw new ArangoError('ERROR_SERVICE_MOUNTPOINT_CONFLICT', `service already exists\nMount path: "${mount}".`);
      }
      return this.#deploy(database, mount, source, { ...opts, teardown: false }, 'install');
    });
  }

  replace(database: string, mount: string, source: InstallSource, opts: LifecycleOptions, mode: 'replace' | 'upgrade'): Promise<ServiceState> {
    return this.exclusive(async () => {
      if (this.state(database, mount) === undefined) {
        if (opts.force !== true) throw new ArangoError('ERROR_SERVICE_NOT_FOUND', `No service installed at mount path "${mount}".`, { httpStatus: 400 });
        validateMount(mount);
      }
      return this.#deploy(database, mount, source, { teardown: mode === 'replace', ...opts }, mode);
    });
  }

  uninstall(database: string, mount: string, opts: { teardown?: boolean; force?: boolean }): Promise<void> {
    return this.exclusive(async () => {
      const state = this.state(database, mount);
      if (state === undefined && opts.force !== true) throw new ArangoError('ERROR_SERVICE_NOT_FOUND', `No service installed at mount path "${mount}".`, { httpStatus: 400 });
      if (state !== undefined && opts.teardown !== false && state.manifest.scripts.teardown !== undefined) {
        try {
          await this.#runScript(state.spec, 'teardown', [], false);
        } catch (err) {
          if (opts.force !== true) throw err;
        }
      }
      await this.store.removeApp(database, mount);
      await this.#unload(database, mount);
      await this.files.removeService(database, mount);
    });
  }

  /** Rewrites the options of a service (configuration, dependencies, development) and reloads it. */
  updateOptions(database: string, mount: string, change: (s: ServiceState) => Partial<AppDocument['options']>): Promise<ServiceState> {
    return this.exclusive(async () => {
      const state = this.require(database, mount);
      const options = { ...state.app.options, ...change(state) };
      const app = await this.store.putApp(database, { mount, checksum: state.app.checksum, ...(state.app.sha256 === undefined ? {} : { sha256: state.app.sha256 }), options });
      return this.#load(database, app, state.manifest, state.legacy);
    });
  }

  /** Development mode off: re-zips the folder as the new bundle, stores it, runs setup (spec §5.8). */
  setDevelopment(database: string, mount: string, enabled: boolean): Promise<ServiceState> {
    if (enabled) return this.updateOptions(database, mount, () => ({ development: true }));
    return this.exclusive(async () => {
      const state = this.require(database, mount);
      const { zipDirectory } = await import('./zip-directory.ts');
      const bundle = await zipDirectory(state.spec.root);
      const checksum = bundleChecksum(bundle);
      await this.store.putBundle(database, checksum, bundle);
      const app = await this.store.putApp(database, { mount, checksum, sha256: sha256Hex(bundle), options: { ...state.app.options, development: false } });
      await fs.writeFile(this.files.bundleFile(database, mount), bundle);
      const loaded = await this.#load(database, app);
      if (loaded.manifest.scripts.setup !== undefined && loaded.error === undefined) await this.#runScript(loaded.spec, 'setup', [], false);
      return loaded;
    });
  }

  runScript(database: string, mount: string, name: string, argv: unknown[]): Promise<unknown> {
    const state = this.require(database, mount);
    if (state.manifest.scripts[name] === undefined) throw new ArangoError('ERROR_SERVICE_UNKNOWN_SCRIPT', `unknown script\nScript: ${name}`);
    return this.#runScript(state.spec, name, argv, false);
  }

  /** Sends a request to the service's worker; undefined when no service owns the path. */
  async handle(database: string, urlPath: string, request: Omit<FoxxRequestData, 'path'>, healed: boolean): Promise<FoxxResponseData | undefined> {
    if (!healed) {
      const known = this.store.apps(database).some((a) => urlPath === a.mount || urlPath.startsWith(`${a.mount}/`));
      if (known) throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'waiting for initialization of Foxx services in this database');
    }
    const found = this.route(database, urlPath);
    if (found === undefined) return undefined;
    const { state, rest } = found;
    if (state.error !== undefined) {
      const num = (state.error as { errorNum?: unknown }).errorNum;
      throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', state.error.message, { httpStatus: 503, extra: { errorNum: typeof num === 'number' ? num : 503 } });
    }
    let unconfigured = this.#unconfigured.get(state);
    if (unconfigured === undefined) {
      // a state never changes (a new configuration is a new state): computed once per state
      unconfigured = needsConfiguration(state.manifest, state.app.options.configuration, state.app.options.dependencies);
      this.#unconfigured.set(state, unconfigured);
    }
    if (unconfigured) {
      throw new ArangoError('ERROR_SERVICE_NEEDS_CONFIGURATION', `service needs configuration\nMount: ${state.mount}`, { httpStatus: 503 });
    }
    return (await this.pool.run({ type: 'request', key: state.spec.key, request: { ...request, path: rest, mount: state.mount, database } })) as FoxxResponseData;
  }

  // ---- self-heal ------------------------------------------------------------------------------

  /**
   * Self-heal of one database (spec §5.4): each `_apps` entry is compared with the local bundle's
   * checksum; what differs or is missing is extracted from `_appbundles` and reloaded, services
   * whose `_apps` revision changed are reloaded, orphans are unloaded and removed from disk.
   */
  heal(database: string): Promise<void> {
    return this.exclusive(async () => {
      const apps = this.store.apps(database);
      for (const app of apps) {
        const dir = this.files.serviceDir(database, app.mount);
        const local = await this.files.readBundle(database, app.mount);
        const localChecksum = local === undefined ? null : bundleChecksum(local);
        // adler32 is what clients see; the sha256 (when stored) catches adler32 collisions
        const same = localChecksum === app.checksum && (app.sha256 === undefined || local === undefined || sha256Hex(local) === app.sha256);
        let changed = false;
        if (!same) {
          const stored = this.store.bundle(database, app.checksum);
          if (stored !== undefined) {
            await this.files.extractBundle(database, app.mount, stored);
            changed = true;
          } else if (local === undefined) this.#log.warn({ mount: app.mount }, 'service bundle missing in _appbundles');
        } else if (local !== undefined && !(await this.files.exists(path.join(dir, 'manifest.json')))) {
          await this.files.extractBundle(database, app.mount, local);
          changed = true;
        }
        const state = this.state(database, app.mount);
        if (changed || state === undefined || state.app._rev !== app._rev) await this.#load(database, app);
      }
      const mounts = apps.map((a) => a.mount);
      for (const s of this.services(database)) if (!mounts.includes(s.mount)) await this.#unload(database, s.mount);
      await this.files.removeOrphans(database, mounts);
    });
  }

  /** Heals every database (boot, the periodic timer, failover before serving). */
  async healAll(): Promise<void> {
    for (const db of this.#engine.databaseNames()) {
      try {
        await this.heal(db);
      } catch (err) {
        this.#log.error({ err, database: db }, 'Foxx self-heal failed');
      }
    }
    for (const s of [...this.#services.values()]) if (!this.#engine.hasDatabase(s.database)) await this.#unload(s.database, s.mount);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
