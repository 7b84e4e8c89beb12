import type { Authenticator, UserStore } from '../auth/index.ts';
import type { StorageEngine } from '../storage/index.ts';
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
export function registerApi(router: Router, deps: { engine: StorageEngine; users: UserStore; authenticator: Authenticator; info: ServerInfo; queries: QueryService; isKnownDatabase?: (name: string) => boolean }): void {
  registerDocumentApi(router, deps.engine);
  registerCollectionApi(router, deps.engine);
  registerIndexApi(router, deps.engine);
  registerCursorApi(router, deps.engine, deps.queries, deps.info.isWritable);
  registerEdgesAndImportApi(router, deps.engine);
  registerDatabaseApi(router, deps.engine, deps.users);
  registerUserApi(router, deps.engine, deps.users, deps.authenticator, deps.isKnownDatabase);
  registerAdminApi(router, deps.info, deps.engine);
}
