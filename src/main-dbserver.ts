import type { AddressInfo } from 'node:net';
import { removeProtoAccessor } from './common/proto-guard.ts';
import { AgencyClient } from './agency/index.ts';
import { retry } from './common/retry.ts';
import { ClusterRegistry, ReplicaManager, loadServerId, mirrorUsers } from './cluster/index.ts';
import { registerFoxxHostCalls } from './cluster/foxx-host-calls.ts';
import { LeaderFeed, ReplicationState, registerFollowedRoute } from './replication/index.ts';
import type { ServerConfig } from './config/index.ts';
import { ArangoError } from './errors/index.ts';
import { ARANGO_VERSION, bodyBudgetOf, closeHttpServer, createHttpServer, registerApi, serverTlsOf, toHttpEndpoint } from './http/index.ts';
import type { Logger } from './log/index.ts';
import type { RunningServer } from './main.ts';
import { TtlSweeper, isPlainObject } from './storage/index.ts';
import { apiDependencies, openDataNode } from './data-node.ts';

/**
 * Composition root of `kitsune start --mode dbserver`: the single-server storage and API (the
 * databases this server leads or follows live in its LMDB), registered in the agency as a
 * `PRIMARY` under `servers/<PRMR-id>`. Coordinators forward client requests here with the client's
 * own credentials, so authentication and permissions are checked exactly as on a single server.
 */
export async function startDbServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  // `__proto__` in a document is an attribute like any other (ArangoDB), never a prototype
  removeProtoAccessor();
  const node = await openDataNode(config, log);
  const { engine, users, authenticator, router, queryPool, queries, transactions } = node;
  const serverId = loadServerId(config.dataDir, 'PRMR');
  let endpoint = '';
  registerApi(router, {
    ...apiDependencies(node),
    info: { serverId, endpoint: () => endpoint, role: () => ({ role: 'PRIMARY', mode: 'default' }), isWritable: () => true },
    // users live on the _system leader, databases elsewhere: coordinators check grants against the plan
    isKnownDatabase: () => true,
  });
  router.add('GET', '/_admin/server/id', () => ({ status: 200, body: { error: false, code: 200, id: serverId } }), { anyDatabase: true });
  // a coordinator asks for a fresh copy of _system/_users from the _system leader (superuser only)
  router.add('POST', '/_api/kitsune/users/refresh', async (ctx) => {
    if (ctx.principal !== null && !ctx.principal.superuser) throw new ArangoError('ERROR_FORBIDDEN');
    const body = await ctx.json();
    const source = isPlainObject(body) ? body['source'] : undefined;
    if (typeof source !== 'string') throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'source must be the _system leader endpoint');
    if (source !== endpoint) await mirrorUsers(engine, users, source, `bearer ${authenticator.superuserToken(serverId)}`);
    return { status: 200, body: { error: false, code: 200 } };
  }, { anyDatabase: true });
  // the replication feed of the databases this server leads (followers tail /_db/<db>/_api/wal/tail)
  let manager: ReplicaManager | null = null;
  const feed = new LeaderFeed({
    engine,
    state: new ReplicationState(engine),
    serverId,
    term: (database) => manager?.term(database) ?? 0,
    clientTtlMs: config.replicationClientTtl * 1000,
  });
  feed.register(router);
  // what this server last applied of whom (a returning old leader keeps the writes nobody received)
  registerFollowedRoute(router, engine);
  // the `db` calls of Foxx services running on coordinators
  registerFoxxHostCalls(router, engine, log.child({ component: 'foxx' }), queries, transactions);
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
    gate: (req, res, path) => manager?.gate(req, res, path),
    afterWrite: async (req, method, path) => manager?.afterWrite(req, method, path),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // `ssl://` (ArangoDB's notation) is advertised as `https://`: coordinators and peers connect over TLS
  endpoint = config.advertise !== '' ? toHttpEndpoint(config.advertise) : `${config.sslKeyfile !== '' ? 'https' : 'http'}://${config.host}:${(server.address() as AddressInfo).port}`;
  const agency = new AgencyClient({ endpoints: config.agency, deployment: config.deployment, memberId: serverId, leaseTtlSeconds: config.agencyLeaseTtl, log });
  const registry = new ClusterRegistry(agency, log);
  try {
    // the agency may come up after this server (starter, restarts): keep trying, say so in the log
    await retry(() => agency.connect(), { maxAttempts: Infinity, initialDelayMs: 200, maxDelayMs: 2000 }, {
      onRetry: ({ error, attempt }) => log[attempt === 1 ? 'warn' : 'debug']({ err: error, attempt }, 'agency not reachable yet, retrying'),
    });
    await registry.register(() => ({ id: serverId, role: 'PRIMARY', endpoint, shortName: shortName(serverId), version: ARANGO_VERSION, engine: 'lmdb' }));
    manager = new ReplicaManager({
      engine,
      registry,
      feed,
      serverId,
      token: () => authenticator.superuserToken(serverId),
      onUsersChanged: () => users.invalidate(),
      syncTimeoutMs: config.clusterSyncTimeout * 1000,
      failedServerTimeoutMs: config.clusterFailedServerTimeout * 1000,
      log: log.child({ component: 'replicas' }),
    });
    await manager.start();
  } catch (err) {
    await manager?.stop();
    feed.close();
    server.close();
    await agency.close();
    await node.jsTransactions.close();
    await queryPool.close();
    transactions.close();
    await engine.close();
    throw err;
  }
  // TTL indexes expire documents on the leader of each database; followers get the removals replicated
  const ttl = new TtlSweeper({ engine, frequencyMs: config.ttlFrequencyMs, isWritable: (database) => (manager?.term(database) ?? 0) > 0, log: log.child({ component: 'ttl' }) });
  log.info({ endpoint, serverId }, 'DB-server registered in the agency');
  return {
    endpoint: `${config.sslKeyfile !== '' ? 'https' : 'http'}://${config.host}:${(server.address() as AddressInfo).port}`,
    async stop() {
      ttl.stop();
      await manager?.stop();
      feed.close();
      registry.stop();
      await agency.close();
      await closeHttpServer(server);
      await node.jsTransactions.close();
      await queryPool.close();
      transactions.close();
      await engine.close();
    },
  };
}

/** ArangoDB's short names: `DBServer0001`-like labels are not stable here, so the id's first block. */
export function shortName(serverId: string): string {
  return serverId.slice(0, 13);
}
