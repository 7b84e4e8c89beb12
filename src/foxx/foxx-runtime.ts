import path from 'node:path';
import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { handleDbCall } from './db-host.ts';
import { ServiceManager } from './manager.ts';
import { QueueService } from './queues.ts';
import type { QueryService } from '../query/index.ts';
import type { TransactionManager } from '../transaction/index.ts';
import type { HostCall } from './runtime/protocol.ts';
import type { CallOwner } from './runtime/service-process.ts';
import { TaskService } from './tasks.ts';

/** Foxx settings from the server configuration (`--foxx.*`). */
export interface FoxxConfig {
  readonly dataDir: string;
  readonly foxxWorkers: number;
  readonly foxxMemoryMb: number;
  readonly foxxRequestTimeoutMs: number;
  readonly foxxHealIntervalMs: number;
  readonly foxxQueuesPollMs: number;
  readonly foxxAllowRemote: boolean;
  readonly foxxMaxExtractedBytes?: number;
  readonly foxxKeepVersions?: number;
  /** `--javascript.endpoints-allowlist`: regexes matched against `protocol://host:port` of a request URL. */
  readonly endpointsAllowlist?: readonly string[];
}

/** ArangoDB's endpoint check: an empty list allows every endpoint, else one regex must match. */
export function endpointAllowed(url: string, allowlist: readonly string[]): boolean {
  if (allowlist.length === 0) return true;
  let endpoint: string;
  try {
    const u = new URL(url);
    endpoint = `${u.protocol === 'https:' ? 'ssl' : 'tcp'}://${u.hostname}:${u.port === '' ? (u.protocol === 'https:' ? '443' : '80') : u.port}`;
  } catch {
    return false;
  }
  return allowlist.some((re) => {
    try {
      return new RegExp(re).test(endpoint) || new RegExp(re).test(url);
    } catch {
      return false;
    }
  });
}

export async function httpRequest(args: Readonly<Record<string, unknown>>): Promise<unknown> {
  const init: RequestInit = {
    method: String(args.method ?? 'GET'),
    headers: (args.headers ?? {}) as Record<string, string>,
    redirect: args.followRedirect === false ? 'manual' : 'follow',
    signal: AbortSignal.timeout(typeof args.timeoutMs === 'number' ? args.timeoutMs : 60_000),
  };
  if (args.body instanceof Uint8Array) init.body = args.body;
  let res: Response;
  try {
    res = await fetch(String(args.url), init);
  } catch (err) {
    // fetch says only "fetch failed": the service gets the reason (certificate, refused, timeout)
    const cause = (err as { cause?: { message?: unknown; code?: unknown } }).cause;
    const reason = typeof cause?.message === 'string' ? `: ${cause.message}${typeof cause.code === 'string' ? ` (${cause.code})` : ''}` : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}${reason}`);
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: res.status, message: res.statusText, headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/**
 * The Foxx subsystem of one server: service manager + worker pool, queues, the self-heal timer,
 * and the Foxxmaster switch. Until the first heal finished, service routes answer 503.
 */
export class FoxxRuntime {
  readonly manager: ServiceManager;
  readonly queues: QueueService;
  readonly tasks: TaskService;
  readonly #config: FoxxConfig;
  readonly #log: Logger;
  #healed = false;
  #healTimer: NodeJS.Timeout | undefined;

  constructor(engine: StorageEngine, config: FoxxConfig, log: Logger, queries?: QueryService, transactions?: TransactionManager) {
    this.#config = config;
    this.#log = log;
    this.queues = new QueueService(engine, log);
    this.tasks = new TaskService(
      {
        run: (db, mount, source, args) => {
          const state = this.manager.state(db, mount);
          if (state === undefined) return Promise.resolve(null);
          return this.manager.pool.run({ type: 'callback', key: state.spec.key, source, args });
        },
        loaded: (db, mount) => this.manager.state(db, mount) !== undefined,
      },
      log,
    );
    const host = async (call: HostCall, owner: CallOwner): Promise<unknown> => {
      if (call.op.startsWith('task.')) return this.tasks.handle(call, owner);
      if (call.op === 'http.request') {
        if (!endpointAllowed(String(call.args.url), config.endpointsAllowlist ?? [])) {
          return Promise.reject(new ArangoError('ERROR_FORBIDDEN', `not allowed to connect to this URL: ${String(call.args.url)}`));
        }
        return httpRequest(call.args);
      }
      if (call.op.startsWith('queue.') || call.op.startsWith('job.')) return this.queues.handle(call);
      return handleDbCall(engine, call, queries, transactions);
    };
    this.manager = new ServiceManager(
      engine,
      {
        appPath: path.join(config.dataDir, 'foxx'),
        workers: config.foxxWorkers,
        memoryMb: config.foxxMemoryMb,
        requestTimeoutMs: config.foxxRequestTimeoutMs,
        allowRemote: config.foxxAllowRemote,
        ...(config.foxxMaxExtractedBytes === undefined ? {} : { maxExtractedBytes: config.foxxMaxExtractedBytes }),
        ...(config.foxxKeepVersions === undefined ? {} : { keepVersions: config.foxxKeepVersions }),
        lmdbPath: path.join(config.dataDir, 'kitsune.lmdb'),
      },
      host,
      log,
    );
    this.manager.onUnload((db, mount) => this.tasks.dropService(db, mount));
  }

  /** True once the first self-heal has run (service routes answer 503 before). */
  get healed(): boolean {
    return this.#healed;
  }

  /** Boot: first heal (in the background), then periodic heals and the queue poller. */
  start(): void {
    void this.healAll().then(async () => {
      await this.queues.resetProgress().catch((err: unknown) => this.#log.error({ err }, 'queue reset failed'));
      this.queues.start(
        this.#config.foxxQueuesPollMs,
        (db, mount, name, argv) => this.manager.runScript(db, mount, name, argv),
        async (db, mount, source, args) => {
          const state = this.manager.state(db, mount);
          return this.manager.pool.run({ type: 'callback', key: state?.spec.key ?? '', source, args });
        },
      );
    });
    this.#healTimer = setInterval(() => void this.healAll(), this.#config.foxxHealIntervalMs);
    this.#healTimer.unref();
  }

  /** Self-heal of every database; the failover code calls it before a new leader serves. */
  async healAll(): Promise<void> {
    await this.manager.healAll();
    this.#healed = true;
  }

  /** The Foxxmaster switch (only the master runs queue jobs). */
  setFoxxmaster(isMaster: boolean): void {
    this.queues.setMaster(isMaster);
  }

  async stop(): Promise<void> {
    if (this.#healTimer) clearInterval(this.#healTimer);
    this.queues.stop();
    this.tasks.stop();
    await this.manager.close();
  }
}

/** Flips the Foxxmaster switch of a runtime (active failover: true on the leader, false elsewhere). */
export function setFoxxmaster(runtime: FoxxRuntime, isMaster: boolean): void {
  runtime.setFoxxmaster(isMaster);
}

/** Heals every database of a runtime; failover awaits it before the new leader serves. */
export function healAll(runtime: FoxxRuntime): Promise<void> {
  return runtime.healAll();
}
