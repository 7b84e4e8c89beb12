// Imported first by service-main.ts: takes the IPC channel's functions for the runtime, then
// removes from `process` what service code must never use should it ever reach the real object
// (signals to other processes, raw bindings, reports). Node's permission model (fs limited to
// the service folder, no child processes, no addons) and the disabled string code generation
// of this realm (`--disallow-code-generation-from-strings`) are the outer layers.
import type { WorkerCommand, WorkerReply } from './protocol.ts';

const rawSend = process.send?.bind(process);
if (rawSend === undefined) throw new Error('service-main must run as a child process with an IPC channel');
const send: (msg: unknown) => boolean = rawSend;
const listeners: Array<(cmd: WorkerCommand) => void> = [];
process.on('message', (msg: unknown) => {
  if (typeof msg !== 'object' || msg === null) return;
  for (const l of listeners) l(msg as WorkerCommand);
});
// The server going away (IPC closed) ends the service process with it.
process.on('disconnect', () => process.exit(0));

/** Sends a reply or log line to the server. */
export function ipcSend(msg: WorkerReply): void {
  send(msg);
}

/** Registers the command handler. */
export function onCommand(listener: (cmd: WorkerCommand) => void): void {
  listeners.push(listener);
}

const refuse = (what: string) => (): never => {
  throw new Error(`${what} is not available to Foxx services`);
};
const proc = process as unknown as Record<string, unknown>;
for (const name of ['kill', '_kill', 'dlopen', '_linkedBinding', 'binding', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'chdir', 'loadEnvFile']) {
  try {
    Object.defineProperty(proc, name, { value: refuse(`process.${name}`), writable: false, configurable: false });
  } catch {
    // not defined on this Node version
  }
}
for (const name of ['report', 'mainModule']) {
  try {
    Object.defineProperty(proc, name, { value: undefined, writable: false, configurable: false });
  } catch {
    // not configurable on this Node version
  }
}
Object.defineProperty(proc, 'env', { value: Object.freeze({}), writable: false, configurable: false });
