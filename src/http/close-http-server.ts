import type { Server } from 'node:http';

/** Grace period before keep-alive connections that never turn idle (replication long-polls) are cut. */
const CLOSE_GRACE_MS = 2000;

/** Stops accepting connections and resolves once every open one has closed (cut after a grace period). */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
  });
}
