import { AccessTokenStore, Authenticator, authenticatorSettingsOf, UserStore, loadJwtSecret } from './auth/index.ts';
import type { ServerConfig } from './config/index.ts';
import { Router, trustForwardedClients } from './http/index.ts';
import type { Logger } from './log/index.ts';
import { createQueryService, type QueryPool, type QueryService } from './query/index.ts';
import { StorageEngine, catalog } from './storage/index.ts';
import { JsTransactions } from './foxx/js-transactions.ts';
import { createTransactionManager, type JsTransactionRunner, type TransactionManager } from './transaction/index.ts';

/**
 * What every role that holds data (single server, active-failover member, DB-server) composes the
 * same way: the storage engine on `--data-dir`, users with root, the JWT secret, access tokens,
 * authentication, the query worker pool, stream transactions, the processes of JavaScript
 * transactions (started on first use), and an empty router.
 */
export interface DataNode {
  readonly engine: StorageEngine;
  readonly users: UserStore;
  readonly tokens: AccessTokenStore;
  readonly authenticator: Authenticator;
  readonly router: Router;
  readonly queryPool: QueryPool;
  readonly queries: QueryService;
  readonly transactions: TransactionManager;
  /** `POST /_api/transaction`: actions run in transaction processes (a DB-server runs them too: coordinators forward them to the leader). */
  readonly jsTransactions: JsTransactionRunner;
  /** Whether this start created the root user (a new data directory). */
  readonly rootCreated: boolean;
}

export async function openDataNode(config: ServerConfig, log: Logger): Promise<DataNode> {
  const engine = await StorageEngine.open(
    { dataDir: config.dataDir, retention: { maxAgeSeconds: config.logRetentionSeconds, maxEntries: config.logRetentionEntries } },
    log.child({ component: 'storage' }),
  );
  await catalog.bootstrap(engine);
  const users = new UserStore(engine);
  const rootCreated = await users.ensureRoot(config.rootPassword);
  const secret = loadJwtSecret(config.jwtSecretFile, config.dataDir);
  // coordinators sign the client address of what they forward (login rate limiting per client)
  trustForwardedClients(secret);
  const tokens = new AccessTokenStore(engine);
  const authenticator = new Authenticator(users, secret, authenticatorSettingsOf(config), tokens);
  const { pool: queryPool, queries } = createQueryService(config, engine, log);
  const transactions = createTransactionManager(config, engine, log);
  const jsTransactions = new JsTransactions(
    { engine, transactions, queries },
    { dataDir: config.dataDir, timeoutMs: config.jsTransactionTimeoutMs, memoryMb: config.foxxMemoryMb, maxProcesses: config.jsTransactionProcesses, log: log.child({ component: 'js-transactions' }) },
  );
  return { engine, users, tokens, authenticator, router: new Router(), queryPool, queries, transactions, jsTransactions, rootCreated };
}

/** The members of `registerApi`'s dependencies that come from the data node. */
export function apiDependencies(node: DataNode): Pick<DataNode, 'engine' | 'queries' | 'transactions' | 'jsTransactions' | 'tokens' | 'users' | 'authenticator'> {
  const { engine, queries, transactions, jsTransactions, tokens, users, authenticator } = node;
  return { engine, queries, transactions, jsTransactions, tokens, users, authenticator };
}
