import { ArangoError } from '../errors/index.ts';
import type { LifecycleOptions, ServiceManager, ServiceState } from './manager.ts';
import type { BundleVersion } from './service-store.ts';

/** A stored version as `GET /_api/foxx/versions` lists it. */
export interface VersionInfo extends BundleVersion {
  readonly current: boolean;
}

async function storedVersions(manager: ServiceManager, database: string, mount: string): Promise<BundleVersion[]> {
  if (!manager.store.versions) throw new ArangoError('ERROR_NOT_IMPLEMENTED', 'this server keeps no service versions');
  return manager.store.versions(database, mount);
}

/** The stored versions of an installed mount, newest first (kitsune extension). */
export async function listVersions(manager: ServiceManager, database: string, mount: string): Promise<VersionInfo[]> {
  const state = manager.require(database, mount);
  return (await storedVersions(manager, database, mount)).map((v) => ({ ...v, current: v.signature === state.app.checksum }));
}

/**
 * Reinstalls a stored version of a mount through the normal replace path as an upgrade: the
 * configuration and dependencies are kept, `setup` runs unless `setup: false`, the current
 * version's `teardown` only with `teardown: true`. `to` is a signature from {@link listVersions}
 * (the checksum, or the sha256).
 */
export async function rollback(manager: ServiceManager, database: string, mount: string, to: string, opts: LifecycleOptions): Promise<ServiceState> {
  manager.require(database, mount);
  const version = (await storedVersions(manager, database, mount)).find((v) => v.signature === to || v.sha256 === to);
  const store = manager.store;
  const bundle = version === undefined ? undefined : ((await store.fetchBundle?.(database, version.signature)) ?? store.bundle(database, version.signature));
  if (version === undefined || bundle === undefined) {
    throw new ArangoError('ERROR_SERVICE_SOURCE_NOT_FOUND', `no stored version "${to}" of mount "${mount}"`, { httpStatus: 404 });
  }
  return manager.replace(database, mount, new Uint8Array(bundle), { teardown: false, ...opts }, 'upgrade');
}
