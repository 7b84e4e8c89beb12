// Runs INSIDE the vm context of one JavaScript transaction's action, not in the process's own
// realm: child-bundle.ts bundles this file (with arangodb-module.ts and the error catalog) into a
// script that trx-action.ts evaluates in every fresh action context. So `require('@arangodb')` is
// the module services get, but every object of it (db, collections, cursors, errors) belongs to the
// action's realm: nothing the action can reach leads to the process's own objects, which later
// actions of other users would share. The one way out is `h`, a function of the process taking and
// returning JSON text (never an object, never a throw).
import { createArangodbModule } from './arangodb-module.ts';
import type { WireError } from './protocol.ts';
import { fromWireError, type SyncCall } from './sync-call.ts';

/** Defines `require` in the action's global: `@arangodb` on database `database`, every call inside transaction `trx`. */
export function install(h: (text: string) => string, database: string, trx: string): void {
  const { parse, stringify } = JSON;
  const call: SyncCall = (op, _database, args = {}) => {
    const reply = parse(h(stringify({ op, args }))) as { ok?: unknown; value?: unknown; error?: WireError };
    if (reply.ok === true) return reply.value;
    throw fromWireError(reply.error ?? { message: 'the server refused the call' });
  };
  const modules: Record<string, unknown> = { '@arangodb': createArangodbModule(call, database, undefined, trx) };
  const require = (name: unknown): unknown => {
    if (typeof name === 'string' && Object.hasOwn(modules, name)) return modules[name];
    throw new Error(`cannot locate module '${String(name)}' (a JavaScript transaction has only '@arangodb')`);
  };
  Object.defineProperty(globalThis, 'require', { value: require, writable: true, configurable: true, enumerable: false });
}
