import type { StorageEngine } from '../storage/index.ts';
import type { RawConfiguration, RawDependencies } from './options.ts';

/** An `_apps` document (spec §5.1, plus the sha256 signature). */
export interface AppDocument {
  readonly _key: string;
  readonly _rev: string;
  readonly mount: string;
  readonly checksum: string;
  readonly sha256?: string;
  readonly options: {
    readonly development: boolean;
    readonly configuration: RawConfiguration;
    readonly dependencies: RawDependencies;
  };
}

/** One stored version of a mount: an `_appbundles` bundle it ran (kitsune's history, newest first). */
export interface BundleVersion {
  /** The bundle's checksum (`_appbundles` key, `_apps.checksum`). */
  readonly signature: string;
  readonly sha256?: string;
  readonly name: string;
  readonly version: string;
  /** When the mount last got this bundle (ms since the epoch). */
  readonly installedAt: number;
}

type MountHistory = Record<string, Omit<BundleVersion, 'signature'>>;

function historyOf(doc: Record<string, unknown> | undefined): MountHistory {
  const m = doc?.mounts;
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as MountHistory) : {};
}

/** The writable part of an `_apps` document. */
export type AppFields = Omit<AppDocument, '_key' | '_rev'>;

/** An `_apps` document as the manager reads it (system mounts and malformed documents → undefined). */
export function toApp(doc: Record<string, unknown>): AppDocument | undefined {
  if (typeof doc.mount !== 'string' || doc.mount.startsWith('/_') && !doc.mount.startsWith('/_open/')) return undefined;
  const options = (typeof doc.options === 'object' && doc.options !== null ? doc.options : {}) as Record<string, unknown>;
  const out: AppDocument = {
    _key: String(doc._key),
    _rev: String(doc._rev),
    mount: doc.mount,
    checksum: typeof doc.checksum === 'string' ? doc.checksum : '',
    options: {
      development: options.development === true,
      configuration: (options.configuration ?? {}) as RawConfiguration,
      dependencies: (options.dependencies ?? {}) as RawDependencies,
    },
    ...(typeof doc.sha256 === 'string' ? { sha256: doc.sha256 } : {}),
  };
  return out;
}

/**
 * What the service manager needs of its store: reads are synchronous (a single server reads its
 * own LMDB; a coordinator answers them from the copy its last heal fetched), writes are async.
 */
export interface ServiceStoreApi {
  apps(database: string): AppDocument[];
  app(database: string, mount: string): AppDocument | undefined;
  putApp(database: string, fields: AppFields): Promise<AppDocument>;
  removeApp(database: string, mount: string): Promise<void>;
  hasBundle(database: string, checksum: string): boolean;
  putBundle(database: string, checksum: string, zip: Uint8Array): Promise<void>;
  bundle(database: string, checksum: string): Buffer | undefined;
  /** Version history (kitsune extension); a store without it keeps none. */
  recordVersion?(database: string, mount: string, version: Omit<BundleVersion, 'installedAt'>, keep: number): Promise<void>;
  versions?(database: string, mount: string): BundleVersion[] | Promise<BundleVersion[]>;
  /** A stored bundle that may not be local (a coordinator downloads it from the database's leader). */
  fetchBundle?(database: string, checksum: string): Promise<Buffer | undefined>;
}

/** Where a service manager keeps its services: the store and the databases that exist. */
export interface FoxxBackend {
  readonly store: ServiceStoreApi;
  databaseNames(): string[];
  hasDatabase(name: string): boolean;
}

/**
 * The per-database service store: `_apps` (one document per mount) and `_appbundles`
 * (content-addressed bundles, `{_key: checksum, _attachment: base64 zip}`), written through
 * `StorageEngine.write` like any other document.
 */
export class ServiceStore implements ServiceStoreApi {
  readonly #engine: StorageEngine;
  constructor(engine: StorageEngine) {
    this.#engine = engine;
  }

  /** Every user service of a database. */
  apps(database: string): AppDocument[] {
    const c = this.#engine.findCollection(database, '_apps');
    if (c === undefined) return [];
    const out: AppDocument[] = [];
    for (const doc of c.all()) {
      const app = toApp(doc);
      if (app !== undefined) out.push(app);
    }
    return out;
  }

  app(database: string, mount: string): AppDocument | undefined {
    return this.apps(database).find((a) => a.mount === mount);
  }

  /** Creates or replaces the `_apps` document of `fields.mount`. */
  async putApp(database: string, fields: AppFields): Promise<AppDocument> {
    const c = this.#engine.collection(database, '_apps');
    const existing = this.app(database, fields.mount);
    const body = { ...fields, id: fields.mount };
    await this.#engine.write((tx) => (existing === undefined ? c.insert(tx, body) : c.replace(tx, existing._key, body, { ignoreRevs: true })));
    const stored = this.app(database, fields.mount);
    if (stored === undefined) throw new Error(`_apps document for ${fields.mount} vanished`);
    return stored;
  }

  async removeApp(database: string, mount: string): Promise<void> {
    const existing = this.app(database, mount);
    if (existing === undefined) return;
    const c = this.#engine.collection(database, '_apps');
    await this.#engine.write((tx) => c.remove(tx, existing._key, { ignoreRevs: true }));
  }

  hasBundle(database: string, checksum: string): boolean {
    return this.#engine.findCollection(database, '_appbundles')?.getRaw(checksum) !== undefined;
  }

  /** Stores a bundle under its checksum unless it is already there (content addressed). */
  async putBundle(database: string, checksum: string, zip: Uint8Array): Promise<void> {
    if (this.hasBundle(database, checksum)) return;
    const c = this.#engine.collection(database, '_appbundles');
    await this.#engine.write((tx) => {
      if (c.getRaw(checksum) === undefined) c.insert(tx, { _key: checksum, _attachment: Buffer.from(zip).toString('base64') });
    });
  }

  /**
   * Records that `mount` now runs the bundle `signature` (`_appbundles.mounts[mount]`) and keeps
   * its last `keep` bundles: older entries of the mount are dropped, and a bundle no mount lists
   * and no `_apps` entry uses is deleted.
   */
  async recordVersion(database: string, mount: string, version: Omit<BundleVersion, 'installedAt'>, keep: number): Promise<void> {
    const c = this.#engine.findCollection(database, '_appbundles');
    if (c === undefined) return;
    const inUse = new Set(this.apps(database).map((a) => a.checksum));
    await this.#engine.write((tx) => {
      const doc = c.get(version.signature);
      if (doc === undefined) return;
      const { signature, ...entry } = version;
      let now = Date.now();
      const history = this.#history(database, mount);
      // strictly newer than anything listed, so the order survives installs within one millisecond
      for (const h of history) now = Math.max(now, h.installedAt + 1);
      c.replace(tx, signature, { ...doc, mounts: { ...historyOf(doc), [mount]: { ...entry, installedAt: now } } }, { ignoreRevs: true });
      const older = history.filter((h) => h.signature !== signature).slice(Math.max(0, keep - 1));
      for (const old of older) {
        const oldDoc = c.get(old.signature);
        if (oldDoc === undefined) continue;
        const mounts = { ...historyOf(oldDoc) };
        delete mounts[mount];
        if (Object.keys(mounts).length === 0 && !inUse.has(old.signature)) c.remove(tx, old.signature, { ignoreRevs: true });
        else c.replace(tx, old.signature, { ...oldDoc, mounts }, { ignoreRevs: true });
      }
    });
  }

  #history(database: string, mount: string): BundleVersion[] {
    const c = this.#engine.findCollection(database, '_appbundles');
    if (c === undefined) return [];
    const out: BundleVersion[] = [];
    for (const doc of c.all()) {
      const entry = historyOf(doc)[mount];
      if (entry !== undefined) out.push({ ...entry, signature: String(doc._key) });
    }
    return out.sort((a, b) => b.installedAt - a.installedAt);
  }

  /** The stored versions of a mount, newest first. */
  versions(database: string, mount: string): BundleVersion[] {
    return this.#history(database, mount);
  }

  bundle(database: string, checksum: string): Buffer | undefined {
    const doc = this.#engine.findCollection(database, '_appbundles')?.get(checksum);
    return typeof doc?._attachment === 'string' ? Buffer.from(doc._attachment, 'base64') : undefined;
  }
}

/** The backend of a server with its own storage (single server, active failover). */
export function localBackend(engine: StorageEngine): FoxxBackend {
  return { store: new ServiceStore(engine), databaseNames: () => engine.databaseNames(), hasDatabase: (name) => engine.hasDatabase(name) };
}
