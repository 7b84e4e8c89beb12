import { ArangoError } from '../errors/index.ts';

// Mount path rules of ArangoDB's manager-utils.validateMount (spec §1.6).
const MOUNT_SEGMENTS = /^(\/[a-zA-Z0-9_\-%]+)+$/;
const MOUNT_STARTS_WITH_NUMBER = /^\/[\d\-%]/;
const MOUNT_CONTAINS_APP = /\/APP(\/|$)/i;
// The `_api/foxx` HTTP API's own (unanchored) joi pattern for the `mount` query parameter.
const MOUNT_QUERY_PATTERN = /(?:\/[-_0-9a-z]+)+/i;

/** Options for {@link validateMount}. */
export interface ValidateMountOptions {
  /** Internal (system) mounts may start with `/_` and be `/` itself. */
  readonly internal?: boolean;
}

function invalidMount(message: string): ArangoError {
  return new ArangoError('ERROR_INVALID_MOUNTPOINT', message);
}

/**
 * Checks a mount path the way ArangoDB does on install and forced replace/upgrade.
 * Throws `ERROR_INVALID_MOUNTPOINT` (3007, 400) with ArangoDB's message (typo included).
 */
export function validateMount(mount: string, options: ValidateMountOptions = {}): void {
  const internal = options.internal === true;
  if (mount[0] !== '/') throw invalidMount('Mountpoint has to start with /.');
  if (!MOUNT_SEGMENTS.test(mount) && !(internal && mount.length === 1)) {
    throw invalidMount('Mountpoint can only contain a-z, A-Z, 0-9 or _.');
  }
  if (internal) return;
  if (mount[1] === '_' && !mount.startsWith('/_open/')) throw invalidMount('/_ apps are reserved for internal use.');
  if (MOUNT_STARTS_WITH_NUMBER.test(mount)) {
    throw invalidMount('Mointpoints are not allowed to start with a number, - or %.');
  }
  if (MOUNT_CONTAINS_APP.test(mount)) throw invalidMount('Mountpoint is not allowed to contain /app/.');
}

/** True when a `mount` query parameter passes the management API's (unanchored) pattern. */
export function isValidMountQuery(mount: string): boolean {
  return MOUNT_QUERY_PATTERN.test(mount);
}

/** True for mounts reserved to system services (`/_admin/aardvark`, `/_api/foxx`, any `/_…`). */
export function isSystemMount(mount: string): boolean {
  return mount.startsWith('/_');
}

function flattenMount(mount: string): string {
  return mount.replace(/^\//, '').replace(/[-.:/]/g, '_');
}

/** `collectionPrefix` of a service: `/my-foxx` → `my_foxx_` (spec §1.7). */
export function collectionPrefix(mount: string): string {
  return `${flattenMount(mount)}_`;
}

/** Name of the bundle file in `_appbundles/`: `/my-foxx/v1` → `my_foxx_v1.zip` (spec §1.7). */
export function bundleFileName(mount: string): string {
  return `${flattenMount(mount)}.zip`;
}

/** File name offered by `POST /_api/foxx/download`: leading slash dropped, `/` → `_` (spec §2.3). */
export function downloadFileName(mount: string): string {
  return `${mount.replace(/^\/+/, '').replace(/\//g, '_')}.zip`;
}

/**
 * Path segments of a service's root below the app path:
 * `['_db', db, ...mountSegments, 'APP']` (spec §1.7). Join them with the platform's path module.
 */
export function servicePathSegments(database: string, mount: string): string[] {
  return ['_db', database, ...mount.split('/').filter((s) => s.length > 0), 'APP'];
}

/** Path segments of a service's bundle zip below the app path: `['_db', db, '_appbundles', file]`. */
export function bundlePathSegments(database: string, mount: string): string[] {
  return ['_db', database, '_appbundles', bundleFileName(mount)];
}
