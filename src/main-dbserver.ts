import type { AddressInfo } from 'node:net';
import { AgencyClient } from './agency/index.ts';
import { retry } from './common/retry.ts';
import { Authenticator, authenticatorSettingsOf, UserStore, loadJwtSecret } from './auth/index.ts';
import { ClusterRegistry, loadServerId, mirrorUsers } from './cluster/index.ts';
import { registerFoxxHostCalls } from './cluster/foxx-host-calls.ts';
import type { ServerConfig } from './config/index.ts';
import { ArangoError } from './errors/index.ts';
import { ARANGO_VERSION, Router, closeHttpServer, createHttpServer, registerApi } from './http/index.ts';
import type { Logger } from './log/index.ts';
import type { RunningServer } from './main.ts';
import { StorageEngine, catalog, isPlainObject } from './storage/index.ts';
import { createQueryService } from './query/index.ts';

/**
 * Composition root of `kitsune start --mode dbserver`: the single-server storage and API (the
 * databases this server leads or follows live in its LMDB), registered in the agency as a
 * `PRIMARY` under `servers/<PRMR-id>`. Coordinators forward client requests here with the client's
 * own credentials, so authentication and permissions are checked exactly as on a single server.
 */
export async function startDbServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const engine = await StorageEngine.open(
    { dataDir: config.dataDir, retention: { maxAgeSeconds: config.logRetentionSeconds, maxEntries: config.logRetentionEntries } },
    log.child({ component: 'storage' }),
  );
  await catalog.bootstrap(engine);
  const users = new UserStore(engine);
  await users.ensureRoot(config.rootPassword);
  const secret = loadJwtSecret(config.jwtSecretFile, config.dataDir);
  const authenticator = new Authenticator(users, secret, authenticatorSettingsOf(config));
  const serverId = loadServerId(config.dataDir, 'PRMR');
  let endpoint = '';
  const router = new Router();
  const { pool: queryPool, queries } = createQueryService(config, engine, log);
  registerApi(router, {
    engine,
    queries,
    users,
    authenticator,
    info: { serverId, endpoint: () => endpoint, role: () => ({ role: 'PRIMARY', mode: 'default' }), isWritable: () => true },
    // users live on the _system leader, databases elsewhere: coordinators check grants against the plan
    isKnownDatabase: () => true,
  });
  // a coordinator asks for a fresh copy of _system/_users from the _system leader (superuser only)
  router.add('POST', '/_api/kitsune/users/refresh', async (ctx) => {
    if (ctx.principal !== null && !ctx.principal.superuser) throw new ArangoError('ERROR_FORBIDDEN');
    const body = await ctx.json();
    const source = isPlainObject(body) ? body['source'] : undefined;
    if (typeof source !== 'string') throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'source must be the _system leader endpoint');
    if (source !== endpoint) await mirrorUsers(engine, users, source, `bearer ${authenticator.superuserToken(serverId)}`);
    return { status: 200, body: { error: false, code: 200 } };
  }, { anyDatabase: true });
  // the `db` calls of Foxx services running on coordinators
  registerFoxxHostCalls(router, engine, log.child({ component: 'foxx' }));
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
  endpoint = config.advertise !== '' ? config.advertise : `http://${config.host}:${(server.address() as AddressInfo).port}`;
  const agency = new AgencyClient({ endpoints: config.agency, deployment: config.deployment, memberId: serverId, leaseTtlSeconds: config.agencyLeaseTtl, log });
  const registry = new ClusterRegistry(agency, log);
  try {
    // the agency may come up after this server (starter, restarts): keep trying, say so in the log
    await retry(() => agency.connect(), { maxAttempts: Infinity, initialDelayMs: 200, maxDelayMs: 2000 }, {
      onRetry: ({ error, attempt }) => log[attempt === 1 ? 'warn' : 'debug']({ err: error, attempt }, 'agency not reachable yet, retrying'),
    });
    await registry.register(() => ({ id: serverId, role: 'PRIMARY', endpoint, shortName: shortName(serverId), version: ARANGO_VERSION, engine: 'lmdb' }));
  } catch (err) {
    server.close();
    await agency.close();
    await queryPool.close();
    await engine.close();
    throw err;
  }
  log.info({ endpoint, serverId }, 'DB-server registered in the agency');
  return {
    endpoint: `http://${config.host}:${(server.address() as AddressInfo).port}`,
    async stop() {
      registry.stop();
      await agency.close();
      await closeHttpServer(server);
      await queryPool.close();
      await engine.close();
    },
  };
}

/** ArangoDB's short names: `DBServer0001`-like labels are not stable here, so the id's first block. */
export function shortName(serverId: string): string {
  return serverId.slice(0, 13);
}
