import type { Logger } from 'pino';
import { ArangoError } from '../../errors/index.ts';
import { buildServiceProcessBundle, removeServiceProcessBundle } from './child-bundle.ts';
import type { ServiceSpec } from './protocol.ts';
import { grantsOf, ServiceProcess, type Command, type HostHandler } from './service-process.ts';

export type { HostHandler } from './service-process.ts';

/** Settings of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Kept for configuration compatibility; every service has its own process. */
  readonly size: number;
  /** Resident memory limit of each service process (MiB, heap and off-heap). */
  readonly memoryMb: number;
  /** CPU time a request may use on its service's process. */
  readonly requestTimeoutMs: number;
  readonly host: HostHandler;
  /** Every installed service (unused: a process is started again on the service's next use). */
  readonly services: () => ServiceSpec[];
  readonly log: Logger;
  /** Unused: service processes never open the storage (it holds every database and the users). */
  readonly lmdbPath?: string;
}

const CHECK_MS = 100;

function keyOf(cmd: Command): string {
  if ('key' in cmd) return cmd.key;
  return cmd.spec.key;
}

/**
 * The service processes of a server, one per loaded service. `load` (re)starts a service's
 * process, `unload` kills it (all its code and timers stop at once); `validate` and transient
 * scripts (a version being installed) run in a throw-away process killed when they finish. A
 * process that died (limit, crash) is started again, with its main, on the service's next command.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #procs = new Map<string, ServiceProcess>();
  readonly #specs = new Map<string, ServiceSpec>();
  /** New versions loading next to the process they replace. */
  readonly #loading = new Set<ServiceProcess>();
  /** Processes started ahead of their first command (no service code in them yet), by key. */
  readonly #spares = new Map<string, ServiceProcess>();
  readonly #timer: NodeJS.Timeout;
  /** The service-process program, built off the event loop when the pool starts. */
  readonly #bundle: Promise<unknown>;
  /** Set once that build has finished (or failed: then a spawn builds synchronously and reports why). */
  #bundleDone = false;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#bundle = buildServiceProcessBundle()
      .catch((err: unknown) => {
        // the first command then builds it synchronously and reports the error to its caller
        options.log.warn({ err }, 'building the service-process program failed');
      })
      .finally(() => (this.#bundleDone = true));
    this.#timer = setInterval(() => {
      for (const p of this.#procs.values()) p.check(CHECK_MS);
    }, CHECK_MS);
    this.#timer.unref();
  }

  /** Specs of the services `spec` depends on (by mount in its database), as loaded now. */
  #deps(spec: ServiceSpec): ServiceSpec[] {
    const out: ServiceSpec[] = [];
    for (const value of Object.values(spec.dependencies)) {
      for (const mount of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        const dep = this.#specs.get(`${spec.database}\u0000${mount}`);
        if (dep !== undefined && dep.key !== spec.key) out.push(dep);
      }
    }
    return out;
  }

  #start(spec: ServiceSpec, cpuTimeoutMs = this.#options.requestTimeoutMs): ServiceProcess {
    if (this.#closed) throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'Foxx is shutting down');
    return new ServiceProcess(
      spec,
      { maxMemoryMb: this.#options.memoryMb, cpuTimeoutMs },
      this.#options.host,
      this.#options.log,
      (p) => {
        if (this.#procs.get(p.key) === p) this.#procs.delete(p.key);
        if (this.#spares.get(p.key) === p) this.#spares.delete(p.key);
      },
      this.#deps(spec),
    );
  }

  /** The prewarmed process for `spec` when it was started with the same folders, else a new one. */
  #take(spec: ServiceSpec, cpuTimeoutMs?: number): ServiceProcess {
    const spare = this.#spares.get(spec.key);
    this.#spares.delete(spec.key);
    if (spare !== undefined && !spare.dead && spare.grants === grantsOf(spec, this.#deps(spec))) return spare;
    spare?.kill();
    return this.#start(spec, cpuTimeoutMs);
  }

  #spawn(spec: ServiceSpec): ServiceProcess {
    const proc = this.#take(spec);
    this.#procs.set(spec.key, proc);
    return proc;
  }

  /**
   * Starts the process of `spec` ahead of its first command (an install starts the serving
   * process while the version is still being validated; the folder `spec.root` may not exist yet).
   * It runs no service code until a `load`/`validate`/`script` for the same key and folders takes it;
   * {@link discard} kills it when the install fails. At most one spare per key.
   */
  prewarm(spec: ServiceSpec): void {
    // before the program is built a spare would build it synchronously: the first command waits instead
    if (this.#closed || !this.#bundleDone) return;
    this.#spares.get(spec.key)?.kill();
    this.#spares.set(spec.key, this.#start(spec));
  }

  /** Kills the spare of `key`, if any. */
  discard(key: string): void {
    this.#spares.get(key)?.kill();
    this.#spares.delete(key);
  }

  #stop(key: string): void {
    const p = this.#procs.get(key);
    this.#procs.delete(key);
    p?.kill();
  }

  /** Kills a replaced process once the requests it was serving are answered (at most a request timeout later). */
  #retire(proc: ServiceProcess): void {
    if (this.#procs.get(proc.key) === proc) this.#procs.delete(proc.key);
    const deadline = Date.now() + this.#options.requestTimeoutMs;
    const check = (): void => {
      if (proc.pending.size === 0 || Date.now() > deadline) proc.kill();
      else setTimeout(check, 20).unref();
    };
    check();
  }

  /** The live process of a loaded service, started again (main loaded) when it died. */
  #processFor(key: string, timeoutMs: number): { proc: ServiceProcess; ready: Promise<unknown> } {
    const live = this.#procs.get(key);
    if (live !== undefined && !live.dead) return { proc: live, ready: Promise.resolve() };
    const spec = this.#specs.get(key);
    if (spec === undefined) throw new ArangoError('ERROR_SERVICE_NOT_FOUND', `service not found\nKey: ${key}`);
    const proc = this.#spawn(spec);
    return { proc, ready: proc.send({ type: 'load', spec, runMain: true }, timeoutMs) };
  }

  /** Runs a command in its service's process; `timeoutMs` (default: the request timeout) is CPU time. */
  async run(cmd: Command, timeoutMs: number = this.#options.requestTimeoutMs): Promise<unknown> {
    // a flag, not a file check: this runs for every service request
    if (!this.#bundleDone) await this.#bundle;
    const key = keyOf(cmd);
    switch (cmd.type) {
      case 'load': {
        // a new version loads next to the old one, which keeps serving until the new one is ready
        // (then it is retired once its requests finished): a deploy fails no request
        const old = this.#procs.get(key);
        this.#specs.set(key, cmd.spec);
        if (old === undefined || old.dead) return this.#spawn(cmd.spec).send(cmd, timeoutMs);
        this.#procs.delete(key);
        const fresh = this.#spawn(cmd.spec);
        this.#procs.set(key, old);
        const check = setInterval(() => fresh.check(CHECK_MS), CHECK_MS);
        this.#loading.add(fresh);
        try {
          const value = await fresh.send(cmd, timeoutMs);
          if (this.#specs.get(key) === cmd.spec && !fresh.dead) this.#procs.set(key, fresh);
          else fresh.kill();
          this.#retire(old);
          return value;
        } catch (err) {
          fresh.kill();
          this.#stop(key);
          throw err;
        } finally {
          clearInterval(check);
          this.#loading.delete(fresh);
        }
      }
      case 'unload':
        this.#specs.delete(key);
        this.#stop(key);
        return null;
      case 'validate':
      case 'script':
        if (cmd.type === 'validate' || cmd.spec !== undefined) {
          const spec = cmd.spec;
          if (spec === undefined) throw new ArangoError('ERROR_INTERNAL', 'transient command without a spec');
          const proc = this.#take(spec, timeoutMs);
          const check = setInterval(() => proc.check(CHECK_MS), CHECK_MS);
          try {
            return await proc.send(cmd, timeoutMs);
          } finally {
            clearInterval(check);
            proc.kill();
          }
        }
        break;
      default:
        break;
    }
    const { proc, ready } = this.#processFor(key, timeoutMs);
    await ready;
    return proc.send(cmd, timeoutMs);
  }

  /** Runs a command once (every service has one process); resolves with its outcome as a list. */
  async broadcast(cmd: Command, timeoutMs: number = this.#options.requestTimeoutMs): Promise<Array<PromiseSettledResult<unknown>>> {
    return Promise.allSettled([this.run(cmd, timeoutMs)]);
  }

  /** Stops every service process. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const exits = [...this.#procs.values(), ...this.#loading, ...this.#spares.values()].map((p) => new Promise<void>((resolve) => {
      if (p.dead) resolve();
      else p.child.once('exit', () => resolve());
      p.kill();
    }));
    this.#procs.clear();
    this.#spares.clear();
    await Promise.all(exits);
    removeServiceProcessBundle();
  }
}
