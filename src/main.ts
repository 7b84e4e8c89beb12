import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Authenticator, UserStore, loadJwtSecret } from './auth/index.ts';
import type { ServerConfig } from './config/index.ts';
import { Router, createHttpServer, registerApi } from './http/index.ts';
import type { Logger } from './log/index.ts';
import { StorageEngine, catalog } from './storage/index.ts';

/** A running server and how to stop it. */
export interface RunningServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Composition root: storage, users, HTTP; resolves once the server listens. */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const engine = await StorageEngine.open(
    { dataDir: config.dataDir, retention: { maxAgeSeconds: config.logRetentionSeconds, maxEntries: config.logRetentionEntries } },
    log.child({ component: 'storage' }),
  );
  await catalog.bootstrap(engine);
  const users = new UserStore(engine);
  if (await users.ensureRoot(config.rootPassword)) {
    if (config.rootPassword === '') log.warn('root user created with an empty password; set KITSUNE_ROOT_PASSWORD');
    else log.info('root user created');
  }
  const secret = loadJwtSecret(config.jwtSecretFile, config.dataDir);
  const authenticator = new Authenticator(users, secret);
  const serverId = `SNGL-${randomUUID()}`;
  let endpoint = '';
  const router = new Router();
  registerApi(router, {
    engine,
    users,
    authenticator,
    info: { serverId, endpoint: () => endpoint, role: () => ({ role: 'SINGLE', mode: 'default' }), isWritable: () => true },
  });
  if (!config.auth) log.warn('authentication is disabled');
  const server = createHttpServer({
    router,
    engine,
    users,
    authenticator,
    authEnabled: config.auth,
    maxBodyBytes: config.maxBodyBytes,
    log: log.child({ component: 'http' }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://${config.host}:${port}`;
  log.info({ endpoint, dataDir: config.dataDir }, 'server listening');
  return {
    endpoint,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await engine.close();
    },
  };
}
