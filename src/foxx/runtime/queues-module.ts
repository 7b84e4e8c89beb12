import type { SyncCall } from './sync-call.ts';

type Opts = Record<string, unknown>;

function fnSource(x: unknown): unknown {
  return typeof x === 'function' ? String(x) : x;
}

/** `@arangodb/foxx/queues` for one database; job types default to the calling service's mount. */
export function createQueuesModule(call: SyncCall, database: string, ownMount: string): Record<string, unknown> {
  const jobProxy = (id: string): Record<string, unknown> => {
    const doc = call('job.get', database, { id }) as Opts;
    return {
      ...doc,
      id,
      abort: () => call('job.abort', database, { id }),
      reset: () => call('job.reset', database, { id }),
    };
  };
  const queueObject = (name: string): Record<string, unknown> => {
    const list = (status: string | undefined) => (type?: Opts) => call('job.list', database, { queue: name, status, type: type ?? null }) as string[];
    return {
      name,
      push(type: Opts, data: unknown, opts: Opts = {}) {
        const t: Opts = { ...type, mount: type.mount ?? ownMount };
        const o: Opts = {};
        for (const [k, v] of Object.entries(opts)) o[k] = fnSource(v);
        if (o.delayUntil instanceof Date) o.delayUntil = o.delayUntil.getTime();
        if (o.repeatUntil instanceof Date) o.repeatUntil = o.repeatUntil.getTime();
        if (t.backOff !== undefined) t.backOff = fnSource(t.backOff);
        return call('job.push', database, { queue: name, type: JSON.parse(JSON.stringify(t)) as unknown, data: data === undefined ? null : (JSON.parse(JSON.stringify(data)) as unknown), opts: o }) as string;
      },
      get: (id: string) => jobProxy(id),
      delete: (id: string) => call('job.delete', database, { id }) as boolean,
      pending: list('pending'),
      progress: list('progress'),
      complete: list('complete'),
      failed: list('failed'),
      all: list(undefined),
    };
  };
  return {
    create(name: string, maxWorkers = 1) {
      call('queue.create', database, { name, maxWorkers });
      return queueObject(name);
    },
    get(name: string) {
      call('queue.get', database, { name });
      return queueObject(name);
    },
    delete: (name: string) => call('queue.delete', database, { name }) as boolean,
  };
}
