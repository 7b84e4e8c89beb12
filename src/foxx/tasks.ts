import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import type { HostCall } from './runtime/protocol.ts';
import type { CallOwner } from './runtime/service-process.ts';

/** Tasks one service may hold at once; more fail with ERROR_RESOURCE_LIMIT. */
export const MAX_TASKS_PER_SERVICE = 64;
/** Shortest period (s): a task cannot fire more often than this. */
export const MIN_PERIOD_S = 0.01;
/** A task of a mount that never got installed (its install was refused) is dropped after this. */
const ORPHAN_GRACE_MS = 60_000;

interface Task {
  readonly id: string;
  readonly name: string;
  readonly database: string;
  readonly mount: string;
  readonly created: number;
  readonly period: number | undefined;
  readonly offset: number;
  readonly command: string;
  readonly params: unknown;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
}

/** What the task service needs from the Foxx runtime. */
export interface TaskHost {
  /** Runs `source` (a function expression) with `args` in the service's process. */
  run(database: string, mount: string, source: string, args: unknown[]): Promise<unknown>;
  /** True when a service is loaded at the mount; false when none is (yet). */
  loaded(database: string, mount: string): boolean;
}

function describe(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    created: t.created / 1000,
    type: t.period === undefined ? 'timed' : 'periodic',
    ...(t.period === undefined ? {} : { period: t.period }),
    offset: t.offset,
    command: t.command,
    database: t.database,
  };
}

/**
 * `@arangodb/tasks` on the server: tasks are owned by the service that registered them (its
 * database and mount, as the server knows the calling process), run in that service's process
 * (counted against its request timeout; a run still going skips the next tick), at most
 * {@link MAX_TASKS_PER_SERVICE} per service, and dropped with the service (uninstall, a mount
 * removed by heal) or when the install that registered them never completed.
 */
export class TaskService {
  readonly #tasks = new Map<string, Task>();
  readonly #host: TaskHost;
  readonly #log: Logger;
  #nextId = 1;
  #stopped = false;

  constructor(host: TaskHost, log: Logger) {
    this.#host = host;
    this.#log = log;
  }

  /** Answers `task.*` host calls of the service `owner`. */
  handle(call: HostCall, owner: CallOwner): unknown {
    const args = call.args;
    switch (call.op) {
      case 'task.register':
        return this.#register(args, owner);
      case 'task.unregister': {
        const task = this.#own(args.id, owner);
        this.#drop(task.id);
        return true;
      }
      case 'task.get': {
        if (args.id === undefined || args.id === null) return this.#list(owner).map(describe);
        return describe(this.#own(args.id, owner));
      }
      default:
        throw new ArangoError('ERROR_BAD_PARAMETER', `unknown task operation ${call.op}`);
    }
  }

  #list(owner: CallOwner): Task[] {
    return [...this.#tasks.values()].filter((t) => t.database === owner.database && t.mount === owner.mount);
  }

  #own(id: unknown, owner: CallOwner): Task {
    if (typeof id !== 'string' && typeof id !== 'number') throw new ArangoError('ERROR_TASK_INVALID_ID', 'invalid task id');
    const task = this.#tasks.get(String(id));
    if (task === undefined || task.database !== owner.database || task.mount !== owner.mount) throw new ArangoError('ERROR_TASK_NOT_FOUND', `task not found\nId: ${String(id)}`);
    return task;
  }

  #register(args: Readonly<Record<string, unknown>>, owner: CallOwner): Record<string, unknown> {
    if (this.#stopped) throw new ArangoError('ERROR_SHUTTING_DOWN', 'shutdown in progress');
    let id: string;
    if (args.id === undefined || args.id === null) {
      do id = String(this.#nextId++);
      while (this.#tasks.has(id));
    } else {
      if ((typeof args.id !== 'string' && typeof args.id !== 'number') || String(args.id) === '' || !/^[A-Za-z0-9_\-:.]{1,254}$/.test(String(args.id))) {
        throw new ArangoError('ERROR_TASK_INVALID_ID', 'invalid task id');
      }
      id = String(args.id);
      if (this.#tasks.has(id)) throw new ArangoError('ERROR_TASK_DUPLICATE_ID', `duplicate task id\nId: ${id}`);
    }
    if (typeof args.command !== 'string' || args.command === '') throw new ArangoError('ERROR_BAD_PARAMETER', 'command must be a string or a function');
    let period: number | undefined;
    if (args.period !== undefined && args.period !== null) {
      period = Number(args.period);
      if (!Number.isFinite(period) || period <= 0) throw new ArangoError('ERROR_BAD_PARAMETER', 'task period must be a positive number');
      period = Math.max(MIN_PERIOD_S, period);
    }
    const offset = args.offset === undefined || args.offset === null ? 0 : Number(args.offset);
    if (!Number.isFinite(offset) || offset < 0) throw new ArangoError('ERROR_BAD_PARAMETER', 'task offset must be a non-negative number');
    if (this.#list(owner).length >= MAX_TASKS_PER_SERVICE) {
      throw new ArangoError('ERROR_RESOURCE_LIMIT', `service ${owner.mount} holds ${MAX_TASKS_PER_SERVICE} tasks already`, { httpStatus: 400 });
    }
    const task: Task = {
      id,
      name: typeof args.name === 'string' ? args.name : 'user-defined task',
      database: owner.database,
      mount: owner.mount,
      created: Date.now(),
      period,
      offset,
      command: args.command,
      params: args.params ?? null,
      timer: undefined,
      running: false,
    };
    this.#tasks.set(id, task);
    task.timer = setTimeout(() => {
      if (task.period !== undefined) {
        task.timer = setInterval(() => this.#fire(task), task.period * 1000);
        task.timer.unref();
      }
      this.#fire(task);
    }, offset * 1000);
    task.timer.unref();
    return describe(task);
  }

  #fire(task: Task): void {
    if (this.#tasks.get(task.id) !== task) return;
    if (task.period === undefined) this.#tasks.delete(task.id);
    if (!this.#host.loaded(task.database, task.mount)) {
      // registered by an install still under way (setup), or by one that was refused
      if (Date.now() - task.created > ORPHAN_GRACE_MS) this.#drop(task.id);
      return;
    }
    if (task.running) return;
    task.running = true;
    this.#host.run(task.database, task.mount, task.command, [task.params]).then(
      () => undefined,
      (err: unknown) => this.#log.warn({ err, task: task.id, mount: task.mount }, 'Foxx task failed'),
    ).finally(() => {
      task.running = false;
    });
  }

  #drop(id: string): void {
    const task = this.#tasks.get(id);
    if (task === undefined) return;
    this.#tasks.delete(id);
    clearTimeout(task.timer);
    clearInterval(task.timer);
  }

  /** Drops every task of a service (it was uninstalled or removed). */
  dropService(database: string, mount: string): void {
    for (const t of [...this.#tasks.values()]) if (t.database === database && t.mount === mount) this.#drop(t.id);
  }

  stop(): void {
    this.#stopped = true;
    for (const id of [...this.#tasks.keys()]) this.#drop(id);
  }
}
