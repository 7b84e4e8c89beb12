import { STATUS_CODES } from 'node:http';

/** ArangoDB's HTTP constant names (`HTTP_OK`, `HTTP_NOT_FOUND`, …) for the codes services use. */
const NAMES: Readonly<Record<string, number>> = {
  OK: 200, CREATED: 201, ACCEPTED: 202, PARTIAL: 203, NO_CONTENT: 204,
  MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, NOT_MODIFIED: 304, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308,
  BAD: 400, UNAUTHORIZED: 401, PAYMENT: 402, FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, NOT_ACCEPTABLE: 406,
  REQUEST_TIMEOUT: 408, CONFLICT: 409, GONE: 410, LENGTH_REQUIRED: 411, PRECONDITION_FAILED: 412, ENTITY_TOO_LARGE: 413,
  URI_TOO_LONG: 414, UNSUPPORTED_MEDIA_TYPE: 415, UNPROCESSABLE_ENTITY: 422,
  SERVER_ERROR: 500, NOT_IMPLEMENTED: 501, BAD_GATEWAY: 502, SERVICE_UNAVAILABLE: 503,
};

type Res = Record<string, unknown> & { status?: (code: number) => unknown; set?: (h: Record<string, string>) => unknown; json?: (v: unknown) => unknown };

/** Writes a JSON answer to a Foxx response (or an old-style `{responseCode, body}` object). */
function answer(res: Res, code: number, body: unknown, headers?: Record<string, string>): void {
  if (typeof res.status === 'function' && typeof res.json === 'function') {
    res.status(code);
    if (headers !== undefined && typeof res.set === 'function') res.set(headers);
    res.json(body);
    return;
  }
  res.responseCode = code;
  res.contentType = 'application/json; charset=utf-8';
  res.body = JSON.stringify(body);
  if (headers !== undefined) res.headers = { ...(res.headers as object | undefined), ...headers };
}

/** `@arangodb/actions`: HTTP constants and result helpers of ArangoDB's action framework. */
export function createActionsModule(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    DELETE: 'DELETE', GET: 'GET', HEAD: 'HEAD', OPTIONS: 'OPTIONS', POST: 'POST', PUT: 'PUT', PATCH: 'PATCH',
  };
  for (const [name, code] of Object.entries(NAMES)) out[`HTTP_${name}`] = code;
  const error = (res: Res, code: number, errorNum: number | undefined, message: string | undefined, headers?: Record<string, string>): void => {
    answer(res, code, { error: true, code, errorNum: errorNum ?? code, errorMessage: message ?? STATUS_CODES[code] ?? 'error' }, headers);
  };
  Object.assign(out, {
    resultOk: (_req: unknown, res: Res, code: number, result?: Record<string, unknown>, headers?: Record<string, string>) =>
      answer(res, code, { ...(result ?? {}), error: false, code }, headers),
    resultError: (_req: unknown, res: Res, code: number, errorNum?: number, message?: string, headers?: Record<string, string>) => error(res, code, errorNum, message, headers),
    resultBad: (_req: unknown, res: Res, errorNum?: number, message?: string, headers?: Record<string, string>) => error(res, 400, errorNum, message, headers),
    resultNotFound: (_req: unknown, res: Res, errorNum?: number, message?: string, headers?: Record<string, string>) => error(res, 404, errorNum, message, headers),
    resultUnsupported: (_req: unknown, res: Res, headers?: Record<string, string>) => error(res, 405, 405, 'method not supported', headers),
    resultPermanentRedirect: (_req: unknown, res: Res, location: string) => answerRedirect(res, 301, location),
    resultTemporaryRedirect: (_req: unknown, res: Res, location: string) => answerRedirect(res, 307, location),
    resultException: (_req: unknown, res: Res, err: unknown) => {
      const e = (typeof err === 'object' && err !== null ? err : {}) as { errorNum?: number; code?: number; message?: string };
      error(res, typeof e.code === 'number' && e.code >= 400 ? e.code : 500, e.errorNum, e.message ?? String(err));
    },
  });
  return out;
}

function answerRedirect(res: Res, code: number, location: string): void {
  if (typeof res.status === 'function' && typeof res.set === 'function') {
    res.status(code);
    res.set({ location });
    return;
  }
  res.responseCode = code;
  res.headers = { ...(res.headers as object | undefined), location };
}
