import type { ServiceManifest } from '../manifest.ts';
import type { FoxxRequestData } from '../router/index.ts';
import type { TestReporter } from '../test-reporters.ts';

/** Everything a worker needs to hold one service (plain data: it crosses the thread boundary). */
export interface ServiceSpec {
  /** Identity inside the workers: `<db>\u0000<mount>`, or `tmp:<uuid>` for a service being validated. */
  readonly key: string;
  readonly database: string;
  readonly mount: string;
  /** Absolute path of the service root (read-only for the service). */
  readonly root: string;
  /** A scratch directory the service may write to. */
  readonly tmpDir: string;
  readonly manifest: ServiceManifest;
  /** Parsed configuration values (`module.context.configuration`). */
  readonly configuration: Record<string, unknown>;
  /** Dependency aliases → mount(s) in the same database. */
  readonly dependencies: Record<string, string | string[] | undefined>;
  readonly development: boolean;
}

/** A message the main thread sends to a worker; every one is answered with a {@link WorkerReply}. */
export type WorkerCommand =
  | { readonly type: 'load'; readonly id: number; readonly spec: ServiceSpec; readonly runMain: boolean }
  | { readonly type: 'unload'; readonly id: number; readonly key: string }
  | { readonly type: 'request'; readonly id: number; readonly key: string; readonly request: FoxxRequestData }
  | { readonly type: 'validate'; readonly id: number; readonly spec: ServiceSpec }
  | { readonly type: 'script'; readonly id: number; readonly key: string; readonly name: string; readonly argv: unknown[]; readonly spec?: ServiceSpec }
  | { readonly type: 'tests'; readonly id: number; readonly key: string; readonly reporter: TestReporter; readonly filter?: string }
  | { readonly type: 'swagger'; readonly id: number; readonly key: string }
  | { readonly type: 'callback'; readonly id: number; readonly key: string; readonly source: string; readonly args: unknown[] }
  | JsTransactionCommand;

/**
 * A JavaScript transaction's action (`POST /_api/transaction`), run in a transaction process
 * (trx-action.ts): `action` is the function's source, `params` its argument as JSON text, `trx` the
 * stream transaction every `db` call joins, `timeoutMs` the wall-clock limit of the run.
 */
export interface JsTransactionCommand {
  readonly type: 'jstrx';
  readonly id: number;
  readonly key: string;
  readonly database: string;
  readonly trx: string;
  readonly action: string;
  readonly params: string;
  readonly timeoutMs: number;
  /** The configured limit (for the message: `timeoutMs` is what is left of it after waiting for a process). */
  readonly limitMs: number;
}

/** An error as plain data. */
export interface WireError {
  readonly message: string;
  readonly errorNum?: number;
  readonly httpStatus?: number;
  readonly stack?: string;
}

/** A worker's answer to a {@link WorkerCommand} (or a log line, `id` 0). */
export type WorkerReply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error' | 'debug'; readonly service: string; readonly message: string };

/** A synchronous call from a worker to the main thread (database, HTTP, queues). */
export interface HostCall {
  readonly op: string;
  readonly database: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** The main thread's answer to a {@link HostCall}. */
export type HostReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: WireError };

/** Turns anything thrown into plain data. */
export function toWireError(err: unknown): WireError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const out: { message: string; errorNum?: number; httpStatus?: number; stack?: string } = { message };
  if (typeof e.errorNum === 'number') out.errorNum = e.errorNum;
  if (typeof e.httpStatus === 'number') out.httpStatus = e.httpStatus;
  else if (typeof e.statusCode === 'number') out.httpStatus = e.statusCode;
  if (typeof e.stack === 'string') out.stack = e.stack;
  return out;
}

/** A request on the request channel (fd 4): `[id, service key, request]`. */
export type RequestMessage = readonly [id: number, key: string, request: FoxxRequestData];

/** The answer to a {@link RequestMessage} on the request channel. */
export type RequestReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: WireError };
