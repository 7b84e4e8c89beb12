import type { SyncCall } from './sync-call.ts';

/** A task's command as a function expression: functions as written, strings as `function (params) { … }` (ArangoDB). */
function commandSource(command: unknown): string {
  if (typeof command === 'function') return String(command);
  if (typeof command === 'string' && command.trim() !== '') return `(function (params) {\n${command}\n})`;
  throw new TypeError('task command must be a function or a string');
}

/**
 * `@arangodb/tasks` in a service: `register({id, name, period, offset, command, params})`,
 * `unregister(id)`, `get(id?)`. The server keeps the tasks (owned by this service, run in its
 * process, dropped at uninstall); `params` must be JSON.
 */
export function createTasksModule(call: SyncCall, database: string): Record<string, unknown> {
  return Object.freeze({
    register(options: Record<string, unknown>): unknown {
      if (typeof options !== 'object' || options === null) throw new TypeError('task options must be an object');
      return call('task.register', database, {
        id: options.id ?? null,
        name: options.name ?? null,
        period: options.period ?? null,
        offset: options.offset ?? null,
        command: commandSource(options.command),
        params: options.params === undefined ? null : (JSON.parse(JSON.stringify(options.params)) as unknown),
      });
    },
    unregister: (id: unknown): unknown => call('task.unregister', database, { id: typeof id === 'object' && id !== null ? (id as { id?: unknown }).id : id }),
    get: (id?: unknown): unknown => call('task.get', database, { id: id ?? null }),
  });
}
