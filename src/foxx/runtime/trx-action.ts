// Service-process side of a JavaScript transaction (`POST /_api/transaction`): runs the action in
// a fresh vm context of its own (null-prototype global, no string code generation, its own
// microtask queue drained under the time limit) with `require('@arangodb')` built inside that
// context by the trx-realm script. Every `db` call is one synchronous host call (`jstrx.call`) that
// the server checks against the caller's rights and runs inside the action's stream transaction.
import { types } from 'node:util';
import vm from 'node:vm';
import type { JsTransactionCommand } from './protocol.ts';
import type { SyncCall } from './sync-call.ts';

/** The trx-realm bundle as script text, put in by child-bundle.ts (absent when this file runs unbundled). */
declare const KITSUNE_TRX_REALM: string | undefined;

let realm: vm.Script | undefined;

/** The compiled realm script (compiled once per process, evaluated in every action's context). */
function realmScript(): vm.Script {
  if (realm !== undefined) return realm;
  const source = typeof KITSUNE_TRX_REALM === 'string' ? KITSUNE_TRX_REALM : undefined;
  if (source === undefined) throw new Error('this service process was built without the JavaScript transaction realm');
  // the bundle declares `var __kitsuneTrxRealm`; inside a function it stays local to this evaluation
  realm = new vm.Script(`(function () {\n${source}\nreturn __kitsuneTrxRealm.install;\n})()`, { filename: 'kitsune:@arangodb' });
  return realm;
}

/**
 * Runs inside the action's context: the action called with the parsed params, its result or its
 * error (errorNum and message read inside the context, under the time limit) as JSON text.
 * Not strict, so that `this` in the action is the context's global, as in ArangoDB.
 */
function wrapper(action: string): string {
  return `(function () {
  var stringify = JSON.stringify, params = JSON.parse(globalThis.__params);
  delete globalThis.__params;
  try {
    return stringify({ ok: true, value: (${action}\n)(params) });
  } catch (e) {
    var errorNum = null, message = 'the action threw a value that is not an error';
    try {
      if (typeof e === 'object' && e !== null) {
        if (typeof e.errorNum === 'number') errorNum = e.errorNum;
        if (typeof e.message === 'string') message = e.message;
      } else message = String(e);
    } catch (_) {}
    return stringify({ ok: false, errorNum: errorNum, message: message });
  }
})()`;
}

type Install = (h: (text: string) => string, database: string, trx: string) => void;

/** A fresh context with the realm script evaluated in it (no action has run there). */
function prepare(): { context: vm.Context; install: Install } {
  const context = vm.createContext(Object.create(null) as object, { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' });
  return { context, install: realmScript().runInContext(context) as Install };
}

/** The context of the next action, made while the process waits (about a millisecond off each action). */
let ready: { context: vm.Context; install: Install } | undefined;

/**
 * Runs one action; answers the JSON text `{ok: true, value}` or `{ok: false, errorNum, message}`.
 * Throws (in this realm) when the action cannot be compiled or ran out of time.
 */
export function runTransactionAction(call: SyncCall, cmd: JsTransactionCommand): string {
  try {
    return run(call, cmd);
  } finally {
    // every context serves one action only
    setImmediate(() => (ready ??= prepare()));
  }
}

function run(call: SyncCall, cmd: JsTransactionCommand): string {
  const { context, install } = ready ?? prepare();
  ready = undefined;
  // the only function of this realm the context holds (inside the realm's closure, out of the action's reach)
  const h = (text: string): string => {
    try {
      const reply = typeof text === 'string' ? call('jstrx.call', cmd.database, { trx: cmd.trx, call: text }) : undefined;
      return typeof reply === 'string' ? reply : '{"ok":false,"error":{"message":"the server refused the call"}}';
    } catch (err) {
      return JSON.stringify({ ok: false, error: { message: err instanceof Error ? err.message : 'the server refused the call' } });
    }
  };
  install(h, cmd.database, cmd.trx);
  (context as Record<string, unknown>)['__params'] = cmd.params;
  let script: vm.Script;
  try {
    script = new vm.Script(wrapper(cmd.action), { filename: 'action' });
  } catch (err) {
    throw new Error(`the action does not compile: ${err instanceof Error ? err.message : 'syntax error'}`);
  }
  let out: unknown;
  try {
    out = script.runInContext(context, { timeout: Math.max(1, cmd.timeoutMs) });
  } catch (err) {
    // the time limit, or something thrown past the wrapper (a stack overflow in its catch). Both are
    // objects of the action's realm (node makes the timeout error there too): only an own data
    // property is read, never a getter the action could have put on its Error.prototype
    const code = typeof err === 'object' && err !== null && !types.isProxy(err) ? Object.getOwnPropertyDescriptor(err, 'code')?.value : undefined;
    const timedOut = code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
    throw new Error(timedOut ? `the transaction's action ran longer than ${cmd.limitMs} ms and was stopped` : 'the action failed');
  }
  if (typeof out !== 'string') throw new Error('the action gave no result');
  return out;
}
