import type { AddressInfo } from 'node:net';
import { removeProtoAccessor } from './common/proto-guard.ts';
import { AgencyClient } from './agency/index.ts';
import { retry } from './common/retry.ts';
import { loadJwtSecret, superuserJwt } from './auth/index.ts';
import { ClusterRegistry, Coordinator, loadServerId } from './cluster/index.ts';
import { startCoordinatorFoxx } from './cluster/foxx-start.ts';
import type { ServerConfig } from './config/index.ts';
import { ARANGO_VERSION, bodyBudgetOf, closeHttpServer, createListener, sendError, serverTlsOf, toHttpEndpoint, trustForwardedClients } from './http/index.ts';
import type { Logger } from './log/index.ts';
import type { RunningServer } from './main.ts';
import { shortName } from './main-dbserver.ts';

/**
 * Composition root of `kitsune start --mode coordinator`: no storage (the data dir holds only its
 * id), an agency connection, the server registry and plan, and an HTTP server that answers the
 * cluster APIs and forwards everything else to the leader DB-server of the request's database.
 * Resolves once `_system` is planned and a DB-server serves it.
 */
export async function startCoordinator(config: ServerConfig, log: Logger): Promise<RunningServer> {
  // `__proto__` in a document is an attribute like any other (ArangoDB), never a prototype
  removeProtoAccessor();
  const serverId = loadServerId(config.dataDir, 'CRDN');
  const secret = loadJwtSecret(config.jwtSecretFile, config.dataDir);
  trustForwardedClients(secret);
  // a fresh token per call, valid for an hour: a token copied off the wire stops working
  const superuser = (): string => `bearer ${superuserJwt(secret, serverId)}`;
  const agency = new AgencyClient({ endpoints: config.agency, deployment: config.deployment, memberId: serverId, leaseTtlSeconds: config.agencyLeaseTtl, log });
  const registry = new ClusterRegistry(agency, log);
  // `ssl://` (ArangoDB's notation) is advertised as `https://`
  let endpoint = toHttpEndpoint(config.advertise);
  const scheme = config.sslKeyfile !== '' ? 'https' : 'http';
  // one budget for every request body this process buffers (forwarding, users, databases, Foxx)
  const bodies = { maxBodyBytes: config.maxBodyBytes, budget: bodyBudgetOf(config) };
  const coordinator = new Coordinator({
    registry,
    serverId,
    deployment: config.deployment,
    version: ARANGO_VERSION,
    endpoint: () => endpoint,
    superuser,
    defaultReplicationFactor: config.defaultReplicationFactor,
    failoverRetryTimeoutMs: config.clusterFailoverRetryTimeout * 1000,
    bodies,
    log: log.child({ component: 'coordinator' }),
  });
  const httpLog = log.child({ component: 'http' });
  const server = createListener((req, res) => {
    coordinator.handle(req, res).catch((err: unknown) => sendError(res, err, httpLog));
  }, serverTlsOf(config.sslKeyfile, config.sslCafile));
  const stopping = new AbortController();
  let foxx: { stop(): Promise<void> } | undefined;
  try {
    // the agency may come up after this server (starter, restarts): keep trying, say so in the log
    await retry(() => agency.connect(), { maxAttempts: Infinity, initialDelayMs: 200, maxDelayMs: 2000 }, {
      onRetry: ({ error, attempt }) => log[attempt === 1 ? 'warn' : 'debug']({ err: error, attempt }, 'agency not reachable yet, retrying'),
    });
    await coordinator.start(stopping.signal);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const local = `${scheme}://${config.host}:${(server.address() as AddressInfo).port}`;
    if (endpoint === '') endpoint = local;
    await registry.register(() => ({ id: serverId, role: 'COORDINATOR', endpoint, shortName: shortName(serverId), version: ARANGO_VERSION, engine: 'lmdb' }));
    await coordinator.refresh();
    // Foxx: the first heal of every database runs before the coordinator reports ready
    foxx = await startCoordinatorFoxx({ config, log, coordinator, agency, serverId, secret, superuser, endpoint: () => endpoint, bodyBudget: bodies.budget });
  } catch (err) {
    coordinator.stop();
    server.close();
    await foxx?.stop();
    await agency.close();
    throw err;
  }
  log.info({ endpoint, serverId }, 'coordinator serving');
  return {
    endpoint: `${scheme}://${config.host}:${(server.address() as AddressInfo).port}`,
    async stop() {
      stopping.abort();
      coordinator.stop();
      registry.stop();
      await foxx?.stop();
      await agency.close();
      await closeHttpServer(server);
    },
  };
}
