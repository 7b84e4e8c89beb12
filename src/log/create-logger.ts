import { pino, type Logger } from 'pino';

export type { Logger };

/** The server's one logger: JSON lines on stderr, so stdout stays free for the ready line. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...base } }, pino.destination({ fd: 2, sync: false }));
}
