import type { WriteHealth } from '../../storage/write-errors.ts';
import type { Router } from '../router.ts';

/** The ArangoDB version kitsune reports (3.12: arangojs runs its Foxx tests against 3.x only). */
export const ARANGO_VERSION = '3.12.4';

/** Facts the admin endpoints report; `role()` changes under active failover. */
export interface ServerInfo {
  readonly serverId: string;
  readonly endpoint: () => string;
  readonly role: () => { role: string; mode: string };
  readonly isWritable: () => boolean;
}

/** `/_api/version`, `/_admin/server/role`, `/_api/engine`, `/_admin/time`, `/_admin/status`. */
/** Storage facts for `/_admin/status` (kitsune extension): write health and background freeing. */
export interface StorageStatus {
  readonly writeHealth: WriteHealth;
  readonly reclaimStatus: { pendingDatabases: number; freedEntries: number };
  readonly oplog: { size(): number };
}

export function registerAdminApi(router: Router, info: ServerInfo, storage?: StorageStatus): void {
  router.add('GET', '/_api/version', (ctx) => {
    const body: Record<string, unknown> = { server: 'arango', version: ARANGO_VERSION, license: 'community' };
    if (ctx.flag('details', false)) body['details'] = { 'kitsune-version': '0.1.0', mode: 'server', role: info.role().role, 'storage-engine': 'lmdb' };
    return { status: 200, body };
  }, { anyDatabase: true });
  router.add('GET', '/_admin/server/role', () => ({ status: 200, body: { error: false, code: 200, ...info.role() } }), { anyDatabase: true });
  router.add('GET', '/_api/engine', () => ({
    status: 200,
    body: { name: 'lmdb', supports: { dfdb: false, indexes: ['primary', 'edge', 'persistent'], aliases: { indexes: { hash: 'persistent', skiplist: 'persistent' } } } },
  }));
  router.add('GET', '/_admin/time', () => ({ status: 200, body: { error: false, code: 200, time: Date.now() / 1000 } }), { anyDatabase: true });
  router.add('GET', '/_admin/status', () => ({
    status: 200,
    body: {
      server: 'arango',
      version: ARANGO_VERSION,
      pid: process.pid,
      license: 'community',
      mode: 'server',
      operationMode: 'server',
      foxxApi: true,
      host: info.endpoint(),
      serverInfo: {
        role: info.role().role,
        mode: info.role().mode,
        writeOpsEnabled: info.isWritable(),
        readOnly: !info.isWritable(),
        maintenance: false,
        serverId: info.serverId,
        address: info.endpoint(),
        state: 'SERVING',
      },
      // kitsune: whether the data directory takes writes (false while the disk is full, with the
      // reason), what is left of freeing dropped data, and the operation log's length
      ...(storage ? { storage: { ...storage.writeHealth, reclaim: storage.reclaimStatus, operationLog: { entries: storage.oplog.size() } } } : {}),
    },
  }), { anyDatabase: true });
}
