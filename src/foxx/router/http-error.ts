const BRAND = Symbol.for('kitsune.foxx.HttpError');

/** Reason phrases for the statuses services commonly use (RFC 9110 wording, as http-errors). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 418: "I'm a Teapot", 422: 'Unprocessable Entity',
  423: 'Locked', 428: 'Precondition Required', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/**
 * Resolves a status given as a number or a reason phrase (`'not found'`, `'permanent'`).
 * Throws a TypeError for unknown names.
 */
export function resolveStatus(status: number | string): number {
  if (typeof status === 'number') return status;
  const wanted = status.toLowerCase();
  if (wanted === 'permanent') return 301;
  if (/^\d{3}$/.test(wanted)) return Number(wanted);
  for (const [code, text] of Object.entries(STATUS_TEXT)) if (text.toLowerCase() === wanted) return Number(code);
  throw new TypeError(`Unknown HTTP status: ${status}`);
}

/** Options for {@link HttpError} (the third argument of `res.throw`). */
export interface HttpErrorOptions {
  /** Attributes merged into the error body. */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
  /** errorNum for the body; defaults to the status. */
  readonly errorNum?: number;
  /** Extra response headers (e.g. `Allow` for 405). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The error `res.throw()` and the dispatcher raise: the status becomes the response status and
 * the body is `{error: true, code, errorNum, errorMessage, ...extra}`.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly status: number;
  readonly errorNum: number;
  readonly extra: Readonly<Record<string, unknown>> | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    super(message ?? STATUS_TEXT[status] ?? `HTTP ${status}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = status;
    this.status = status;
    this.errorNum = options.errorNum ?? status;
    this.extra = options.extra;
    this.headers = options.headers;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for an {@link HttpError} from any realm. */
export function isHttpError(x: unknown): x is HttpError {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Builds the error `res.throw(status, [reason], [options | Error])` raises: a reason that is an
 * Error supplies message, `errorNum` and cause; options may carry `extra`, `cause`, `errorNum`.
 */
export function createHttpError(status: number | string, reason?: unknown, options?: unknown): HttpError {
  const code = resolveStatus(status);
  let message: string | undefined;
  let errorNum: number | undefined;
  let cause: unknown;
  let extra: Record<string, unknown> | undefined;
  const fromError = (err: Error): void => {
    message ??= err.message;
    const num = (err as { errorNum?: unknown }).errorNum;
    if (typeof num === 'number') errorNum = num;
    cause = err;
  };
  if (reason instanceof Error) fromError(reason);
  else if (typeof reason === 'string') message = reason;
  else if (typeof reason === 'object' && reason !== null && options === undefined) options = reason;
  if (options instanceof Error) fromError(options);
  else if (typeof options === 'object' && options !== null) {
    const o = options as { extra?: unknown; cause?: unknown; errorNum?: unknown };
    if (typeof o.extra === 'object' && o.extra !== null) extra = o.extra as Record<string, unknown>;
    if (o.cause !== undefined) cause = o.cause;
    if (o.cause instanceof Error) fromError(o.cause);
    if (typeof o.errorNum === 'number') errorNum = o.errorNum;
  }
  const opts: { extra?: Record<string, unknown>; cause?: unknown; errorNum?: number } = {};
  if (extra !== undefined) opts.extra = extra;
  if (cause !== undefined) opts.cause = cause;
  if (errorNum !== undefined) opts.errorNum = errorNum;
  return new HttpError(code, message, opts);
}
