// Entry of a Foxx service process (bundled by child-bundle.ts, started by service-process.ts under
// Node's permission model): holds one service in its own vm context and answers the server's
// requests over the batched channel on fd 4 (request-channel.ts) and the other commands
// (load/unload/script/tests/swagger/callback, and `jstrx`: a JavaScript transaction's action in a
// transaction process) over the IPC channel; database calls block on fd 3 (see fd-sync-call.ts).
import './lockdown.ts';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import vm from 'node:vm';
import { ArangoError } from '../../errors/index.ts';
import { buildSwagger } from '../swagger.ts';
import { matchTestFiles, runTests } from '../test-runner.ts';
import { createBuiltins, setPackagesDir } from './builtin-modules.ts';
import { toWireError, type RequestMessage, type RequestReply, type ServiceSpec, type WorkerCommand, type WorkerReply } from './protocol.ts';
import { BatchChannel } from './request-channel.ts';
import { within } from './restricted-fs.ts';
import { ServiceInstance, type SandboxHost } from './sandbox.ts';
import { createFdSyncCall } from './fd-sync-call.ts';
import { runTransactionAction } from './trx-action.ts';
import { ipcSend, onCommand } from './lockdown.ts';
import { removeProtoAccessor } from '../../common/proto-guard.ts';

// documents cross into this process as plain data: `__proto__` must stay an attribute here too
removeProtoAccessor();

if (process.argv[2] !== undefined) setPackagesDir(process.argv[2]);
const call = createFdSyncCall(3);
const builtins = createBuiltins(call);
const services = new Map<string, ServiceInstance>();
const post = (msg: WorkerReply): void => ipcSend(msg);

const host: SandboxHost = {
  builtin: builtins,
  exportsOf(database, mount) {
    const instance = services.get(`${database}\u0000${mount}`);
    if (instance === undefined) return null;
    try {
      instance.loadMain();
      return instance.mainExports;
    } catch {
      return {};
    }
  },
  log: (level, service, message) => post({ type: 'log', level, service, message }),
};

function instanceFor(key: string): ServiceInstance {
  const instance = services.get(key);
  if (instance === undefined) throw new ArangoError('ERROR_SERVICE_NOT_FOUND', `service not found\nKey: ${key}`);
  // Development mode: every use re-reads the service from disk (spec §5.8).
  if (instance.spec.development) {
    const fresh = new ServiceInstance(instance.spec, host);
    services.set(key, fresh);
    return fresh;
  }
  return instance;
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      if (name === 'node_modules') continue;
      const abs = path.join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = fs.statSync(abs);
      if (st.isDirectory()) walk(abs, r);
      else if (st.isFile()) out.push(r);
    }
  };
  walk(root, '');
  return out;
}

function plain(x: unknown): unknown {
  if (x === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(x) ?? 'null') as unknown;
  } catch {
    return null;
  }
}

async function handle(cmd: WorkerCommand): Promise<{ value: unknown }> {
  switch (cmd.type) {
    case 'load': {
      const instance = new ServiceInstance(cmd.spec satisfies ServiceSpec, host);
      services.set(cmd.spec.key, instance);
      if (cmd.runMain) instance.loadMain();
      return { value: null };
    }
    case 'validate': {
      // A service being installed: main runs once in a throw-away context, nothing is kept.
      new ServiceInstance(cmd.spec, host).loadMain();
      return { value: null };
    }
    case 'unload':
      services.delete(cmd.key);
      return { value: null };
    case 'request': {
      const instance = instanceFor(cmd.key);
      const readFile = (p: string): { data: Uint8Array } => {
        const abs = path.resolve(instance.spec.root, p);
        if (!within(abs, instance.spec.root) && !within(abs, instance.spec.tmpDir)) throw new Error(`Path outside the service: ${p}`);
        return { data: fs.readFileSync(abs) };
      };
      return { value: await instance.handle(cmd.request, readFile) };
    }
    case 'script': {
      const instance = cmd.spec === undefined ? instanceFor(cmd.key) : new ServiceInstance(cmd.spec, host);
      const file = instance.spec.manifest.scripts[cmd.name];
      if (file === undefined) throw new ArangoError('ERROR_SERVICE_UNKNOWN_SCRIPT', `unknown script\nScript: ${cmd.name}`);
      let result = instance.runFile(file, cmd.argv);
      if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') result = await result;
      return { value: plain(result) };
    }
    case 'tests': {
      const instance = instanceFor(cmd.key);
      const files = matchTestFiles(instance.spec.manifest.tests, listFiles(instance.spec.root));
      const report = await runTests(files, (file, globals) => instance.runFile(file, [], globals as unknown as Record<string, unknown>), {
        reporter: cmd.reporter,
        ...(cmd.filter === undefined ? {} : { filter: cmd.filter }),
      });
      return { value: plain(report) };
    }
    case 'swagger': {
      const instance = instanceFor(cmd.key);
      instance.loadMain();
      return { value: plain(buildSwagger(instance.router, { database: instance.spec.database, mount: instance.spec.mount, manifest: instance.spec.manifest })) };
    }
    case 'jstrx':
      // a JavaScript transaction's action, in a context of its own (this process holds no service)
      return { value: runTransactionAction(call, cmd) };
    case 'callback': {
      const instance = services.get(cmd.key);
      const context = instance?.vmContext ?? vm.createContext({});
      // tasks and job callbacks see `require` of their service, as in ArangoDB
      const req = instance === undefined ? undefined : (name: unknown): unknown => instance.require(instance.spec.root, name);
      const fn = (vm.compileFunction(`return (${cmd.source});`, ['require'], { parsingContext: context }) as (r: unknown) => unknown)(req);
      if (typeof fn !== 'function') return { value: null };
      let result = (fn as (...a: unknown[]) => unknown)(...cmd.args);
      if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') result = await result;
      return { value: plain(result) };
    }
  }
}

const requests: BatchChannel<RequestReply, RequestMessage> = new BatchChannel(
  new net.Socket({ fd: 4, readable: true, writable: true }),
  ([id, key, request]) => {
    handle({ type: 'request', id, key, request }).then(
      ({ value }) => requests.send({ id, ok: true, value }),
      (err: unknown) => requests.send({ id, ok: false, error: toWireError(err) }),
    );
  },
  (msg, err) => ({ id: msg.id, ok: false, error: toWireError(err) }),
);

onCommand((cmd: WorkerCommand) => {
  handle(cmd).then(
    ({ value }) => post({ type: 'reply', id: cmd.id, ok: true, value }),
    (err: unknown) => post({ type: 'reply', id: cmd.id, ok: false, error: toWireError(err) }),
  );
});
post({ type: 'log', level: 'debug', service: '', message: 'ready' });
