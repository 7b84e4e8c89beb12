import assert from 'node:assert';
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import events from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import querystring from 'node:querystring';
import stringDecoder from 'node:string_decoder';
import url from 'node:url';
import util from 'node:util';
import { createRouter } from '../router/index.ts';
import { createActionsModule } from './actions-module.ts';
import { callOfModule, createArangodbModule, type DocumentReader } from './arangodb-module.ts';
import { createExampleGraphModule } from './example-graphs.ts';
import { createGeneralGraphModule } from './general-graph-module.ts';
import { createAuth, createCryptoModule } from './crypto-module.ts';
import { createGraphqlModule, type GraphqlApi } from './graphql-module.ts';
import { createOAuth2Module, type RequestFn } from './oauth2-module.ts';
import { createQueuesModule } from './queues-module.ts';
import { createTasksModule } from './tasks-module.ts';
import { createRequestModule } from './request-module.ts';
import type { ServiceInstance } from './sandbox.ts';
import { createSessionsModules } from './sessions-module.ts';
import type { SyncCall } from './sync-call.ts';

const hostRequire = createRequire(import.meta.url);
let packagesDir: string | undefined;

/** Where the shipped npm packages are (kitsune's node_modules), for loading them into services. */
export function setPackagesDir(dir: string): void {
  packagesDir = dir;
}

/** See {@link setPackagesDir}; undefined → services get the host's copies. */
export function packagesDirectory(): string | undefined {
  return packagesDir;
}
/** npm packages ArangoDB ships to services without bundling (spec §4.1 / issue 3 §4). */
export const SHIPPED_PACKAGES = ['joi', 'lodash', 'chai', 'dedent', 'http-errors', 'statuses', 'qs', 'semver', 'mime-types', 'graphql-sync'] as const;
/** Packages installed under another name at the version ArangoDB 3.x ships (`joi` 14.3.1, `chai` 3.5). */
export const ARANGODB_PACKAGE_DIRS: Readonly<Record<string, string>> = { joi: 'joi-arangodb', chai: 'chai-arangodb' };
const NODE_BUILTINS: Readonly<Record<string, unknown>> = { assert, buffer: { Buffer }, crypto, events, path, querystring, string_decoder: stringDecoder, url, util };

/**
 * The module allow-list of one worker: `(name, instance) → module` or undefined when `name` is not
 * a built-in. Per-database modules (`@arangodb`, queues) and per-service ones (`@arangodb/locals`)
 * are created on first use.
 */
export function createBuiltins(call: SyncCall, read?: () => DocumentReader | undefined): (name: string, instance: ServiceInstance) => unknown {
  const shared = new Map<string, unknown>();
  const perDb = new Map<string, Record<string, unknown>>();
  const arangodb = (database: string): Record<string, unknown> => {
    let m = perDb.get(database);
    if (m === undefined) {
      m = createArangodbModule(call, database, read);
      perDb.set(database, m);
    }
    return m;
  };
  const graphModules = new Map<string, Record<string, unknown>>();
  const generalGraph = (database: string): Record<string, unknown> => {
    let m = graphModules.get(database);
    if (m === undefined) {
      const base = arangodb(database);
      m = createGeneralGraphModule(callOfModule(base) ?? call, database, base);
      graphModules.set(database, m);
    }
    return m;
  };
  const sharedModule = (name: string, make: () => unknown): unknown => {
    let m = shared.get(name);
    if (m === undefined) {
      m = make();
      shared.set(name, m);
    }
    return m;
  };
  return (name, instance) => {
    const bare = name.startsWith('node:') ? name.slice(5) : name;
    if (Object.hasOwn(NODE_BUILTINS, bare)) return NODE_BUILTINS[bare];
    // Shipped npm packages are loaded inside the service's own realm by the sandbox (so that a
    // service's RegExp or plain object is what joi expects); the host copy is a fallback only.
    if ((SHIPPED_PACKAGES as readonly string[]).includes(name)) return packagesDir === undefined ? sharedModule(name, () => hostRequire(ARANGODB_PACKAGE_DIRS[name] ?? name)) : undefined;
    const database = instance.spec.database;
    switch (name) {
      case '@arangodb':
        return arangodb(database);
      case '@arangodb/foxx/router':
        return sharedModule(name, () => Object.assign((...a: unknown[]) => (createRouter as (...x: unknown[]) => unknown)(...a), { createRouter }));
      case '@arangodb/foxx':
        return { createRouter };
      case '@arangodb/actions':
        return sharedModule(name, createActionsModule);
      case '@arangodb/locals':
        return { context: instance.foxxContext };
      case '@arangodb/request':
        return sharedModule(name, () => createRequestModule(call));
      case '@arangodb/crypto':
        return sharedModule(name, () => createCryptoModule());
      case '@arangodb/foxx/auth':
        return sharedModule(name, () => createAuth);
      case '@arangodb/foxx/queues':
        return createQueuesModule(call, database, instance.spec.mount);
      case '@arangodb/foxx/graphql':
        // graphql-sync as the service resolves it (its own copy wins), so its schema's classes match
        return createGraphqlModule(() => instance.require(instance.spec.root, 'graphql-sync') as GraphqlApi);
      case '@arangodb/foxx/oauth2':
        return sharedModule(name, () => createOAuth2Module(sharedModule('@arangodb/request', () => createRequestModule(call)) as RequestFn));
      case '@arangodb/tasks':
        return createTasksModule(call, database);
      case '@arangodb/general-graph':
        return generalGraph(database);
      case '@arangodb/graph-examples/example-graph':
        return createExampleGraphModule(generalGraph(database), arangodb(database));
      case '@arangodb/util':
        return sharedModule(name, createUtilModule);
      case 'console':
        return instance.console;
      default:
        if (!name.startsWith('@arangodb/foxx/sessions')) return undefined;
        return createSessionsModules(arangodb(database), createCryptoModule())[name];
    }
  };
}

/** `@arangodb/util`: the inspection and formatting helpers services use (node's `util` subset). */
function createUtilModule(): Record<string, unknown> {
  return Object.freeze({
    inspect: util.inspect,
    format: util.format,
    inherits: util.inherits,
    deprecate: util.deprecate,
    isDeepStrictEqual: util.isDeepStrictEqual,
    types: util.types,
  });
}
