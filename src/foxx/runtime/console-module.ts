import util from 'node:util';

type Level = 'info' | 'warn' | 'error' | 'debug';

/**
 * The `console` of a service (global and `require('console')`): ArangoDB's methods, each line
 * going to the server log tagged with the service. Timers and counters are bounded per service.
 */
export function createConsole(write: (level: Level, message: string) => void): Record<string, unknown> {
  const text = (args: unknown[]): string => (args.length > 0 && typeof args[0] === 'string' ? util.format(...(args as [string, ...unknown[]])) : args.map((a) => (typeof a === 'string' ? a : util.inspect(a, { depth: 4 }))).join(' '));
  let indent = '';
  const at = (level: Level) => (...args: unknown[]): void => write(level, indent + text(args));
  const timers = new Map<string, number>();
  const counts = new Map<string, number>();
  const MAX_LABELS = 1000;
  return Object.freeze({
    log: at('info'),
    info: at('info'),
    debug: at('debug'),
    warn: at('warn'),
    error: at('error'),
    critical: at('error'),
    trace: (...args: unknown[]): void => write('debug', `${indent}Trace: ${text(args)}\n${(new Error().stack ?? '').split('\n').slice(2).join('\n')}`),
    dir: (obj: unknown): void => write('info', indent + util.inspect(obj)),
    assert: (cond: unknown, ...args: unknown[]): void => {
      if (!cond) {
        const err = new Error(args.length > 0 ? text(args) : 'assertion failed');
        err.name = 'AssertionError';
        write('error', indent + err.message);
        throw err;
      }
    },
    time: (label = 'default'): void => {
      if (timers.size < MAX_LABELS || timers.has(label)) timers.set(String(label), performance.now());
    },
    timeEnd: (label = 'default'): void => {
      const started = timers.get(String(label));
      if (started === undefined) throw new Error(`No such label: ${String(label)}`);
      timers.delete(String(label));
      write('info', `${indent}${String(label)}: ${Math.round(performance.now() - started)}ms`);
    },
    count: (label = 'default'): void => {
      const n = (counts.get(String(label)) ?? 0) + 1;
      if (counts.size < MAX_LABELS || counts.has(String(label))) counts.set(String(label), n);
      write('info', `${indent}${String(label)}: ${n}`);
    },
    group: (...args: unknown[]): void => {
      if (args.length > 0) write('info', indent + text(args));
      if (indent.length < 64) indent += '  ';
    },
    groupEnd: (): void => {
      indent = indent.slice(2);
    },
    table: (data: unknown): void => write('info', indent + util.inspect(data)),
  });
}
