import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ArangoError } from '../../errors/index.ts';
import { NODE_MODULES, serviceProcessBundle } from './child-bundle.ts';
import { frame, FrameReader } from './fd-sync-call.ts';
import { toWireError, type HostCall, type HostReply, type RequestMessage, type RequestReply, type ServiceSpec, type WorkerCommand, type WorkerReply } from './protocol.ts';
import { BatchChannel } from './request-channel.ts';
import { fromWireError } from './sync-call.ts';

/** The service a host call comes from (set by the server, never by the service). */
export interface CallOwner {
  readonly database: string;
  readonly mount: string;
}

/** Answers a service's synchronous host call (database, HTTP, queues, tasks). */
export type HostHandler = (call: HostCall, owner: CallOwner) => Promise<unknown>;

export type Command = WorkerCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** Limits of one service process. */
export interface ProcessLimits {
  /** Resident memory (heap and off-heap) in MiB. */
  readonly maxMemoryMb: number;
  /** CPU time (ms, counted on the service's process) one command may use. */
  readonly cpuTimeoutMs: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  cpuStart: number;
  started: number;
  timeoutMs: number;
}

const PAGE = 4096;
const TICK_HZ = 100;

/** The folders a service process may read: kitsune's packages, its own folders and those of its dependencies. */
function readableDirs(spec: ServiceSpec, deps: readonly ServiceSpec[]): string[] {
  // once each (Node aborts at startup when the same grant is given twice); NODE_MODULES is already
  // the real path (child-bundle.ts), which the permission model checks
  return [...new Set([NODE_MODULES, spec.root, spec.tmpDir, ...deps.flatMap((d) => [d.root, d.tmpDir])])];
}

/** What {@link ServiceProcess.grants} is for a process started for `spec` with `deps`. */
export function grantsOf(spec: ServiceSpec, deps: readonly ServiceSpec[]): string {
  return readableDirs(spec, deps).join('\u0000');
}

/**
 * One Foxx service in its own OS process, started under Node's permission model: it may read only
 * kitsune's packages, the bundled runtime and its own folder, write only its scratch dir, start no
 * processes or addons, has an empty environment and no string code generation in its host realm.
 * Requests go over a batched channel on fd 4 ({@link BatchChannel}), other commands over the IPC
 * channel; its synchronous database calls come in over fd 3.
 */
export class ServiceProcess {
  readonly key: string;
  readonly child: ChildProcess;
  /** The folders it may read (started with): a prewarmed process serves only a spec with the same. */
  readonly grants: string;
  readonly pending = new Map<number, Pending>();
  readonly #requests: BatchChannel<RequestMessage, RequestReply>;
  #nextId = 1;
  #cpuTicks = 0;
  #lastCpuTicks = 0;
  #reniced = false;
  /** Set when the program has started (its own start-up CPU is no service's doing). */
  #started = false;
  #stderr = '';
  #killReason: ArangoError | undefined;
  #killed = false;
  dead = false;

  constructor(spec: ServiceSpec, readonly limits: ProcessLimits, host: HostHandler, readonly log: Logger, onExit: (p: ServiceProcess) => void, deps: readonly ServiceSpec[] = []) {
    this.key = spec.key;
    const bundle = serviceProcessBundle();
    fs.mkdirSync(spec.tmpDir, { recursive: true });
    const readable = readableDirs(spec, deps);
    this.grants = readable.join('\u0000');
    this.child = spawn(
      process.execPath,
      [
        '--experimental-permission',
        // `dir/*`, not `dir/`: the service folder of a prewarmed process is placed after it started,
        // and Node grants a trailing-slash path only when it already is a directory at startup
        ...readable.map((d) => `--allow-fs-read=${d}/*`),
        `--allow-fs-write=${spec.tmpDir}/*`,
        '--disallow-code-generation-from-strings',
        `--max-old-space-size=${Math.max(16, Math.floor(limits.maxMemoryMb * 0.75))}`,
        '--no-warnings',
        bundle,
        NODE_MODULES,
      ],
      // cwd: the scratch dir, which exists even before the service's folder is placed (prewarm)
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', 'ipc'], env: {}, cwd: spec.tmpDir, serialization: 'advanced' },
    );
    const stderr = this.child.stderr;
    stderr?.setEncoding('utf8');
    stderr?.on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-4000);
    });
    const channel = this.child.stdio[3] as Socket;
    const frames = new FrameReader();
    const owner: CallOwner = { database: spec.database, mount: spec.mount };
    channel.on('data', (chunk: Buffer) => {
      // calls still buffered when the process was killed never run (uninstall stops all its code)
      if (this.#killed) return;
      for (const call of frames.push(chunk)) {
        host(call as HostCall, owner).then(
          (value): HostReply => ({ ok: true, value }),
          (err: unknown): HostReply => ({ ok: false, error: toWireError(err) }),
        ).then((reply) => {
          let out: Buffer;
          try {
            out = frame(reply);
          } catch (err) {
            out = frame({ ok: false, error: toWireError(err) } satisfies HostReply);
          }
          if (!channel.destroyed) channel.write(out);
        });
      }
    });
    channel.on('error', () => undefined);
    this.#requests = new BatchChannel<RequestMessage, RequestReply>(
      this.child.stdio[4] as Socket,
      (msg) => this.#settle(msg),
      (msg) => msg, // requests are plain data from the HTTP layer (strings, a Buffer)
    );
    this.child.on('message', (msg: WorkerReply) => {
      if (typeof msg !== 'object' || msg === null) return;
      if (msg.type === 'log') {
        if (msg.message === 'ready' && msg.service === '') this.#started = true;
        else log[msg.level === 'debug' ? 'debug' : msg.level]({ service: String(msg.service) }, String(msg.message));
        return;
      }
      this.#settle(msg);
    });
    // Services this one depends on run in its process too (ArangoDB: the same context), unloaded.
    for (const dep of deps) void this.send({ type: 'load', spec: dep, runMain: false }, limits.cpuTimeoutMs).catch(() => undefined);
    this.child.on('error', (err) => {
      log.error({ err, service: this.key }, 'Foxx service process failed');
      if (this.child.pid !== undefined || this.dead) return;
      // it never started: no 'exit' follows
      this.dead = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      channel.destroy();
      this.#requests.destroy();
      onExit(this);
    });
    this.child.on('exit', (code, signal) => {
      this.dead = true;
      if (this.#killReason === undefined && this.pending.size > 0) log.warn({ service: this.key, code, signal, stderr: this.#stderr }, 'Foxx service process died');
      const reason = this.#killReason ?? new ArangoError('ERROR_INTERNAL', `Foxx service process stopped (${signal ?? `exit ${String(code)}`})`);
      for (const p of this.pending.values()) p.reject(reason);
      this.pending.clear();
      channel.destroy();
      this.#requests.destroy();
      onExit(this);
    });
  }

  /** Whether {@link check} lowered its scheduling priority (it burnt CPU); it cannot be raised again. */
  get reniced(): boolean {
    return this.#reniced;
  }

  /** The end of what the process wrote to stderr (why it crashed). */
  get stderrTail(): string {
    return this.#stderr;
  }

  #settle(msg: RequestReply): void {
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(fromWireError(msg.error));
  }

  send(cmd: Command, timeoutMs: number): Promise<unknown> {
    if (this.dead) return Promise.reject(this.#killReason ?? new ArangoError('ERROR_INTERNAL', 'Foxx service process stopped'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, cpuStart: this.#cpuTicks, started: Date.now(), timeoutMs });
      if (cmd.type === 'request') {
        this.#requests.send([id, cmd.key, cmd.request]);
        return;
      }
      try {
        this.child.send({ ...cmd, id });
      } catch (err) {
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  /** Stops every line of the service's code at once. */
  kill(reason?: ArangoError): void {
    if (reason !== undefined && this.#killReason === undefined) this.#killReason = reason;
    this.#killed = true;
    if (!this.dead) this.child.kill('SIGKILL');
  }

  /**
   * Enforces the limits (called every `intervalMs`): resident memory, CPU per command (a wall
   * clock of 4× the timeout also ends commands waiting forever), and a process that burns CPU
   * outside short requests gets the lowest scheduling priority so it cannot slow the others.
   */
  check(intervalMs: number): void {
    const pid = this.child.pid;
    if (this.dead || pid === undefined) return;
    let stat: string;
    let statm: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8');
    } catch {
      return;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    this.#cpuTicks = Number(fields[11]) + Number(fields[12]);
    const rssMb = (Number(statm.split(' ')[1]) * PAGE) / (1024 * 1024);
    if (rssMb > this.limits.maxMemoryMb) {
      this.log.warn({ service: this.key, rssMb: Math.round(rssMb) }, 'Foxx service over its memory limit; restarting it');
      this.kill(new ArangoError('ERROR_RESOURCE_LIMIT', `Foxx service exceeded its memory limit of ${this.limits.maxMemoryMb} MiB and was restarted`, { httpStatus: 500 }));
      return;
    }
    const now = Date.now();
    let oldest = now;
    for (const p of this.pending.values()) {
      const cpuMs = ((this.#cpuTicks - p.cpuStart) * 1000) / TICK_HZ;
      if (cpuMs >= p.timeoutMs || now - p.started > 4 * p.timeoutMs) {
        this.log.warn({ service: this.key, cpuMs }, 'Foxx service request over its time limit; restarting the service');
        this.kill(new ArangoError('ERROR_REQUEST_CANCELED', `Foxx request timed out after ${p.timeoutMs} ms; the service was restarted`, { httpStatus: 500 }));
        return;
      }
      oldest = Math.min(oldest, p.started);
    }
    const busyMs = ((this.#cpuTicks - this.#lastCpuTicks) * 1000) / TICK_HZ;
    this.#lastCpuTicks = this.#cpuTicks;
    if (!this.#reniced && this.#started && busyMs > 0.6 * intervalMs && now - oldest > 200) {
      this.#reniced = true;
      try {
        os.setPriority(pid, 19);
      } catch {
        // the process just ended
      }
    }
  }
}
