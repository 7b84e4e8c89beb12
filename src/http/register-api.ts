import type { AccessTokenStore, Authenticator, UserStore } from '../auth/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import type { JsTransactionRunner, TransactionManager } from '../transaction/index.ts';
import { registerTransactionApi } from './api/transaction-api.ts';
import { registerGharialApi } from './api/gharial-api.ts';
import { registerTokenApi } from './api/token-api.ts';
import { registerAqlFunctionApi } from './api/aqlfunction-api.ts';
import { registerAnalyzerApi } from './api/analyzer-api.ts';
import { registerAdminApi, type ServerInfo } from './api/admin-api.ts';
import { registerCollectionApi } from './api/collection-api.ts';
import { registerCursorApi } from './api/cursor-api.ts';
import type { QueryService } from '../query/index.ts';
import { registerDatabaseApi } from './api/database-api.ts';
import { registerDocumentApi } from './api/document-api.ts';
import { registerEdgesAndImportApi } from './api/edges-import-api.ts';
import { registerIndexApi } from './api/index-api.ts';
import { registerUserApi } from './api/user-api.ts';
import type { Router } from './router.ts';

/** Registers the ArangoDB-compatible core API (documents first: they are the hot path). */
export function registerApi(
  router: Router,
  deps: {
    engine: StorageEngine;
    users: UserStore;
    authenticator: Authenticator;
    info: ServerInfo;
    queries: QueryService;
    transactions: TransactionManager;
    jsTransactions: JsTransactionRunner;
    tokens: AccessTokenStore;
    isKnownDatabase?: (name: string) => boolean;
  },
): void {
  registerDocumentApi(router, deps.engine, deps.transactions);
  registerTransactionApi(router, deps.engine, deps.transactions, deps.jsTransactions);
  registerGharialApi(router, deps.engine, deps.transactions);
  registerTokenApi(router, deps.users, deps.tokens);
  registerAqlFunctionApi(router, deps.engine);
  registerAnalyzerApi(router, deps.engine);
  registerCollectionApi(router, deps.engine, deps.transactions);
  registerIndexApi(router, deps.engine);
  registerCursorApi(router, deps.engine, deps.queries, deps.info.isWritable, deps.transactions);
  registerEdgesAndImportApi(router, deps.engine, deps.transactions);
  registerDatabaseApi(router, deps.engine, deps.users);
  registerUserApi(router, deps.engine, deps.users, deps.authenticator, deps.isKnownDatabase);
  registerAdminApi(router, deps.info, deps.engine);
}
