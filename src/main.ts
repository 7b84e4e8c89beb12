import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterMember, loadMemberId } from './cluster/index.ts';
import type { ServerConfig } from './config/index.ts';
import { bodyBudgetOf, closeHttpServer, createHttpServer, registerApi, serverTlsOf, toHttpEndpoint } from './http/index.ts';
import { FoxxRuntime } from './foxx/foxx-runtime.ts';
import { registerFoxxApi } from './http/api/foxx-api.ts';
import type { Logger } from './log/index.ts';
import { TtlSweeper } from './storage/index.ts';
import { removeProtoAccessor } from './common/proto-guard.ts';
import { apiDependencies, openDataNode } from './data-node.ts';

/** A running server and how to stop it. */
export interface RunningServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Composition root: storage, users, HTTP; resolves once the server listens. */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  // `__proto__` in a document is an attribute like any other (ArangoDB), never a prototype
  removeProtoAccessor();
  const node = await openDataNode(config, log);
  const { engine, users, authenticator, router, queryPool, queries, transactions } = node;
  if (node.rootCreated) {
    if (config.rootPassword === '') log.warn('root user created with an empty password; set KITSUNE_ROOT_PASSWORD');
    else log.info('root user created');
  }
  const failover = config.mode === 'activefailover';
  if (failover && config.agency.length === 0) throw new Error('--mode activefailover needs --agency http://HOST:PORT[,…] (etcd endpoints)');
  // an active-failover member keeps its id across restarts (its agency records and followers know it)
  const serverId = failover ? loadMemberId(config.dataDir) : `SNGL-${randomUUID()}`;
  let endpoint = '';
  registerApi(router, {
    ...apiDependencies(node),
    info: { serverId, endpoint: () => endpoint, role: () => ({ role: 'SINGLE', mode: failover ? 'resilient' : 'default' }), isWritable: () => cluster?.isWritable() ?? true },
  });
  const foxx = new FoxxRuntime(engine, config, log.child({ component: 'foxx' }), queries, transactions);
  registerFoxxApi(router, { engine, runtime: foxx, authenticator });
  let foxxStarted = false;
  const cluster = failover
    ? new ClusterMember({
        engine,
        memberId: serverId,
        settings: {
          agency: config.agency,
          deployment: config.deployment,
          // ArangoDB's ssl://host:port is advertised (agency, X-Arango-Endpoint) as https://host:port
          advertise: toHttpEndpoint(config.advertise),
          syncFollowers: config.syncFollowers,
          syncTimeoutMs: config.syncTimeoutMs,
          maxLagForFailover: config.maxLagForFailover,
          leaseTtlSeconds: config.agencyLeaseTtl,
          clientTtlSeconds: config.replicationClientTtl,
        },
        token: () => authenticator.superuserToken(serverId),
        onUsersChanged: () => users.invalidate(),
        hooks: {
          // a new leader heals its services from _apps/_appbundles and becomes Foxxmaster before it serves
          async onBecomeLeader() {
            await foxx.healAll();
            if (!foxxStarted) {
              foxxStarted = true;
              foxx.start();
            }
            foxx.setFoxxmaster(true);
          },
          onBecomeFollower() {
            foxx.setFoxxmaster(false);
          },
        },
        log,
      })
    : null;
  cluster?.register(router);
  const ttl = new TtlSweeper({ engine, frequencyMs: config.ttlFrequencyMs, isWritable: () => cluster?.isWritable() ?? true, log: log.child({ component: 'ttl' }) });
  if (!config.auth) log.warn('authentication is disabled');
  const server = createHttpServer({
    router,
    engine,
    users,
    authenticator,
    authEnabled: config.auth,
    maxBodyBytes: config.maxBodyBytes,
    bodyBudget: bodyBudgetOf(config),
    ...(config.sslKeyfile !== '' ? { tls: serverTlsOf(config.sslKeyfile, config.sslCafile) } : {}),
    log: log.child({ component: 'http' }),
    ...(cluster ? { gate: cluster.gate, afterWrite: (req: IncomingMessage, method: string, path: string) => cluster.afterWrite(req, method, path) } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `${config.sslKeyfile !== '' ? 'https' : 'http'}://${config.host}:${port}`;
  log.info({ endpoint, dataDir: config.dataDir }, 'server listening');
  if (cluster) await cluster.start(endpoint);
  else foxx.start();
  return {
    endpoint,
    async stop() {
      // leave the deployment first: a leader's key vanishes at once (fast failover) and followers'
      // replication connections are let go, so closing the HTTP server does not wait on them
      await cluster?.stop();
      await closeHttpServer(server);
      await foxx.stop();
      await node.jsTransactions.close();
      await queryPool.close();
      transactions.close();
      ttl.stop();
      await engine.close();
    },
  };
}
