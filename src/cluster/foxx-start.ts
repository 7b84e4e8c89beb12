import type { AgencyClient } from '../agency/index.ts';
import type { ServerConfig } from '../config/index.ts';
import type { BodyBudget } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import type { Coordinator } from './coordinator.ts';
import { CoordinatorFoxx } from './foxx-coordinator.ts';
import { createCoordinatorFoxxHandler } from './foxx-coordinator-http.ts';
import { FoxxmasterElection } from './foxx-master.ts';
import { ClusterQueueRunner } from './foxx-queue-runner.ts';

/** What {@link startCoordinatorFoxx} wires together. */
export interface CoordinatorFoxxStart {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly coordinator: Coordinator;
  readonly agency: AgencyClient;
  readonly serverId: string;
  readonly secret: string;
  readonly superuser: () => string;
  readonly endpoint: () => string;
  /** The coordinator's budget for buffered request bodies (shared with its forwarding). */
  readonly bodyBudget: BodyBudget;
}

/**
 * Foxx on a coordinator: the service runtime, its HTTP routes in front of the coordinator's
 * forwarding, and the first heal of every database (awaited: the coordinator is ready after it).
 */
export async function startCoordinatorFoxx(o: CoordinatorFoxxStart): Promise<{ stop(): Promise<void> }> {
  const { coordinator, config } = o;
  const log = o.log.child({ component: 'foxx' });
  const kv = o.agency.kv();
  const queueUpdate = `${o.agency.keys.root}foxx/queue-update`;
  const foxx = new CoordinatorFoxx({
    serverId: o.serverId,
    endpoint: o.endpoint,
    superuser: o.superuser,
    leaderEndpoint: (db) => coordinator.leaderEndpoint(db),
    databaseNames: () => coordinator.databaseNames(),
    hasDatabase: (db) => coordinator.hasDatabase(db),
    coordinators: () => coordinator.coordinators(),
    kv,
    agencyRoot: o.agency.keys.root,
    config,
    // a push anywhere wakes the Foxxmaster through a watch (ArangoDB's Current/FoxxmasterQueueupdate)
    onJobPushed: () => void kv.put(queueUpdate, { at: Date.now(), by: o.serverId }, false).catch(() => undefined),
    log,
  });
  const runner = new ClusterQueueRunner({
    serverId: o.serverId,
    manager: foxx.manager,
    leaderEndpoint: (db) => coordinator.leaderEndpoint(db),
    superuser: o.superuser,
    databaseNames: () => coordinator.databaseNames(),
    pollMs: config.foxxQueuesPollMs,
    log,
  });
  const election = new FoxxmasterElection({
    kv,
    key: o.agency.keys.foxxmaster,
    serverId: o.serverId,
    endpoint: o.endpoint,
    candidate: config.foxxQueues,
    onChange: (isMaster) => runner.setActive(isMaster),
    log,
  });
  coordinator.attachFoxx(
    createCoordinatorFoxxHandler({
      foxx,
      secret: o.secret,
      authEnabled: config.auth,
      maxBodyBytes: config.maxBodyBytes,
      bodyBudget: o.bodyBudget,
      usersEndpoint: () => coordinator.leaderEndpoint('_system'),
      foxxmaster: () => ({ foxxmaster: election.foxxmaster, isFoxxmaster: election.isFoxxmaster }),
      log,
    }),
  );
  await foxx.start();
  // jobs need the services: the election starts once the first heal loaded them
  election.start();
  const wakeWatch = kv.watchPrefixValues(queueUpdate, () => runner.wake());
  return {
    async stop() {
      wakeWatch.cancel();
      runner.stop();
      election.stop();
      await foxx.stop();
    },
  };
}
