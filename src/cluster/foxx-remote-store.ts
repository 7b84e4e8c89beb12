import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ArangoError } from '../errors/index.ts';
import { bundleChecksum } from '../foxx/signature.ts';
import type { ServiceFiles } from '../foxx/service-files.ts';
import { toApp, type AppDocument, type AppFields, type BundleVersion, type ServiceStoreApi } from '../foxx/service-store.ts';
import { callServer, relayError } from './forward.ts';

/** How the store reaches a database: its leader's endpoint and the coordinator's superuser header. */
export interface RemoteStoreDeps {
  readonly leaderEndpoint: (database: string) => Promise<string>;
  readonly superuser: () => string;
  readonly files: ServiceFiles;
}

/** `_key` of the `_apps` document a coordinator creates for a mount: two installs of one mount collide (1210 → 3011). */
export function appKeyOf(mount: string): string {
  return `m${createHash('sha256').update(mount).digest('hex').slice(0, 40)}`;
}

/**
 * `_apps`/`_appbundles` of databases that live on DB-servers, for the service manager of a
 * coordinator. Reads answer from the copy of `_apps` the last {@link refresh} fetched (and bundles
 * {@link prefetch} downloaded for the coming heal); writes go to the database's leader at once and
 * update the copy. Installing a mount creates its document with a key derived from the mount, so of
 * two coordinators installing one mount at the same time exactly one succeeds.
 */
export class RemoteServiceStore implements ServiceStoreApi {
  readonly #d: RemoteStoreDeps;
  readonly #apps = new Map<string, AppDocument[]>();
  readonly #bundles = new Map<string, Buffer>();

  constructor(deps: RemoteStoreDeps) {
    this.#d = deps;
  }

  async #call(database: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const leader = await this.#d.leaderEndpoint(database);
    return callServer(leader, method, `/_db/${encodeURIComponent(database)}${path}`, this.#d.superuser(), body);
  }

  /** Fetches `_apps` of `database` from its leader (the copy later reads answer from). */
  async refresh(database: string): Promise<AppDocument[]> {
    const r = await this.#call(database, 'POST', '/_api/cursor', { query: 'FOR a IN _apps RETURN a', batchSize: 10_000 });
    if (r.status === 404) {
      this.#apps.set(database, []);
      return [];
    }
    if (r.status >= 300) relayError(r.status, r.body);
    const docs = ((r.body as { result?: unknown[] } | null)?.result ?? []) as Array<Record<string, unknown>>;
    const apps = docs.map(toApp).filter((a): a is AppDocument => a !== undefined);
    this.#apps.set(database, apps);
    return apps;
  }

  /** Drops the copy of a database that no longer exists. */
  forget(database: string): void {
    this.#apps.delete(database);
    for (const k of this.#bundles.keys()) if (k.startsWith(`${database}\u0000`)) this.#bundles.delete(k);
  }

  /** Downloads the bundles of every app whose local bundle differs from `_apps` (step 8), for the heal that follows. */
  async prefetch(database: string): Promise<void> {
    for (const app of this.apps(database)) {
      if (app.checksum === '') continue;
      const local = await this.#d.files.readBundle(database, app.mount);
      if (local !== undefined && bundleChecksum(local) === app.checksum) continue;
      const key = `${database}\u0000${app.checksum}`;
      if (this.#bundles.has(key)) continue;
      const r = await this.#call(database, 'GET', `/_api/document/_appbundles/${encodeURIComponent(app.checksum)}`);
      const attachment = (r.body as { _attachment?: unknown } | null)?._attachment;
      if (r.status === 200 && typeof attachment === 'string') this.#bundles.set(key, Buffer.from(attachment, 'base64'));
    }
  }

  /** Forgets the downloaded bundles once a heal placed them on disk. */
  releaseBundles(database: string): void {
    for (const k of this.#bundles.keys()) if (k.startsWith(`${database}\u0000`)) this.#bundles.delete(k);
  }

  apps(database: string): AppDocument[] {
    return this.#apps.get(database) ?? [];
  }

  app(database: string, mount: string): AppDocument | undefined {
    return this.apps(database).find((a) => a.mount === mount);
  }

  #remember(database: string, app: AppDocument): void {
    this.#apps.set(database, [...this.apps(database).filter((a) => a.mount !== app.mount), app]);
  }

  async putApp(database: string, fields: AppFields): Promise<AppDocument> {
    const body = { ...fields, id: fields.mount };
    const existing = this.app(database, fields.mount);
    let r = existing === undefined
      ? { status: 404, body: null as unknown }
      : await this.#call(database, 'PUT', `/_api/document/_apps/${encodeURIComponent(existing._key)}?returnNew=true`, body);
    if (r.status === 404) {
      r = await this.#call(database, 'POST', '/_api/document/_apps?returnNew=true', { _key: appKeyOf(fields.mount), ...body });
      if (r.status === 409) throw new ArangoError('ERROR_SERVICE_MOUNTPOINT_CONFLICT', `service already exists\nMount path: "${fields.mount}".`);
    }
    if (r.status >= 300) relayError(r.status, r.body);
    const app = toApp(((r.body as { new?: unknown } | null)?.new ?? {}) as Record<string, unknown>);
    if (app === undefined) throw new ArangoError('ERROR_INTERNAL', `_apps document for ${fields.mount} not returned`);
    this.#remember(database, app);
    return app;
  }

  async removeApp(database: string, mount: string): Promise<void> {
    const existing = this.app(database, mount);
    const key = existing?._key ?? appKeyOf(mount);
    const r = await this.#call(database, 'DELETE', `/_api/document/_apps/${encodeURIComponent(key)}`);
    if (r.status >= 300 && r.status !== 404) relayError(r.status, r.body);
    this.#apps.set(database, this.apps(database).filter((a) => a.mount !== mount));
  }

  hasBundle(database: string, checksum: string): boolean {
    return this.#bundles.has(`${database}\u0000${checksum}`);
  }

  async putBundle(database: string, checksum: string, zip: Uint8Array): Promise<void> {
    const r = await this.#call(database, 'POST', '/_api/document/_appbundles', { _key: checksum, _attachment: Buffer.from(zip).toString('base64') });
    // content addressed: an existing bundle of this checksum is the same bundle
    if (r.status >= 300 && r.status !== 409) relayError(r.status, r.body);
  }

  /** Every stored bundle that lists `mount`, with its whole mount history. */
  async #histories(database: string, mount: string): Promise<Array<{ signature: string; mounts: Record<string, Omit<BundleVersion, 'signature'>> }>> {
    const r = await this.#call(database, 'POST', '/_api/cursor', {
      query: 'FOR b IN _appbundles FILTER HAS(b.mounts, @mount) RETURN {signature: b._key, mounts: b.mounts}',
      bindVars: { mount },
      batchSize: 10_000,
    });
    if (r.status >= 300) relayError(r.status, r.body);
    return ((r.body as { result?: unknown[] } | null)?.result ?? []) as Array<{ signature: string; mounts: Record<string, Omit<BundleVersion, 'signature'>> }>;
  }

  /** The stored versions of a mount, newest first, as the database's leader has them now. */
  async versions(database: string, mount: string): Promise<BundleVersion[]> {
    return versionsOf(await this.#histories(database, mount), mount);
  }

  /**
   * As the single server's store: `_appbundles.<signature>.mounts[mount]` gets the new entry, the
   * mount's entries beyond the last `keep` are dropped, and a bundle no mount lists and no `_apps`
   * entry uses is deleted (document calls on the leader; a coordinator dying in between leaves at
   * worst an extra old version listed).
   */
  async recordVersion(database: string, mount: string, version: Omit<BundleVersion, 'installedAt'>, keep: number): Promise<void> {
    const histories = await this.#histories(database, mount);
    const listed = versionsOf(histories, mount);
    let now = Date.now();
    for (const h of listed) now = Math.max(now, h.installedAt + 1);
    const { signature, ...entry } = version;
    const path = (sig: string, q = ''): string => `/_api/document/_appbundles/${encodeURIComponent(sig)}?silent=true${q}`;
    const set = await this.#call(database, 'PATCH', path(signature), { mounts: { [mount]: { ...entry, installedAt: now } } });
    if (set.status >= 300) relayError(set.status, set.body);
    const inUse = new Set(this.apps(database).map((a) => a.checksum));
    inUse.add(signature);
    for (const old of listed.filter((h) => h.signature !== signature).slice(Math.max(0, keep - 1))) {
      const others = Object.keys(histories.find((h) => h.signature === old.signature)?.mounts ?? {}).filter((m) => m !== mount);
      const r = others.length === 0 && !inUse.has(old.signature)
        ? await this.#call(database, 'DELETE', path(old.signature))
        : await this.#call(database, 'PATCH', path(old.signature, '&keepNull=false'), { mounts: { [mount]: null } });
      if (r.status >= 300 && r.status !== 404) relayError(r.status, r.body);
    }
  }

  /** A stored bundle from the database's leader (for a rollback to a version no coordinator has locally). */
  async fetchBundle(database: string, checksum: string): Promise<Buffer | undefined> {
    const local = this.bundle(database, checksum);
    if (local !== undefined) return local;
    const r = await this.#call(database, 'GET', `/_api/document/_appbundles/${encodeURIComponent(checksum)}`);
    const attachment = (r.body as { _attachment?: unknown } | null)?._attachment;
    return r.status === 200 && typeof attachment === 'string' ? Buffer.from(attachment, 'base64') : undefined;
  }

  /** A bundle: downloaded for the current heal, else the local copy of a service with that checksum. */
  bundle(database: string, checksum: string): Buffer | undefined {
    const fetched = this.#bundles.get(`${database}\u0000${checksum}`);
    if (fetched !== undefined) return fetched;
    for (const app of this.apps(database)) {
      if (app.checksum !== checksum) continue;
      try {
        const local = fs.readFileSync(this.#d.files.bundleFile(database, app.mount));
        if (bundleChecksum(local) === checksum) return local;
      } catch {
        // no local copy
      }
    }
    return undefined;
  }
}

/** A mount's versions from the bundles' mount histories, newest first. */
function versionsOf(histories: ReadonlyArray<{ signature: string; mounts: Record<string, Omit<BundleVersion, 'signature'>> }>, mount: string): BundleVersion[] {
  const out: BundleVersion[] = [];
  for (const h of histories) {
    const entry = h.mounts[mount];
    if (entry !== undefined) out.push({ ...entry, signature: h.signature });
  }
  return out.sort((a, b) => b.installedAt - a.installedAt);
}
