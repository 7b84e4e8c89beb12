import type { AgencyClient } from '../agency/index.ts';
import type { ServerConfig } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Coordinator } from './coordinator.ts';
import { CoordinatorFoxx } from './foxx-coordinator.ts';
import { createCoordinatorFoxxHandler } from './foxx-coordinator-http.ts';

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
}

/**
 * Foxx on a coordinator: the service runtime, its HTTP routes in front of the coordinator's
 * forwarding, and the first heal of every database (awaited: the coordinator is ready after it).
 */
export async function startCoordinatorFoxx(o: CoordinatorFoxxStart): Promise<{ stop(): Promise<void> }> {
  const { coordinator, config } = o;
  const log = o.log.child({ component: 'foxx' });
  const foxx = new CoordinatorFoxx({
    serverId: o.serverId,
    endpoint: o.endpoint,
    superuser: o.superuser,
    leaderEndpoint: (db) => coordinator.leaderEndpoint(db),
    databaseNames: () => coordinator.databaseNames(),
    hasDatabase: (db) => coordinator.hasDatabase(db),
    coordinators: () => coordinator.coordinators(),
    kv: o.agency.kv(),
    agencyRoot: o.agency.keys.root,
    config,
    log,
  });
  coordinator.attachFoxx(
    createCoordinatorFoxxHandler({
      foxx,
      secret: o.secret,
      authEnabled: config.auth,
      maxBodyBytes: config.maxBodyBytes,
      usersEndpoint: () => coordinator.leaderEndpoint('_system'),
      foxxmaster: () => ({ foxxmaster: null, isFoxxmaster: false }),
      log,
    }),
  );
  await foxx.start();
  return { stop: () => foxx.stop() };
}
