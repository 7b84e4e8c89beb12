import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isArangoError } from '../errors/index.ts';

/** The one place that writes ArangoDB's error body `{error, code, errorNum, errorMessage}`. */
export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  let status = 500;
  let errorNum = 4;
  let message = 'internal error';
  let headers: Readonly<Record<string, string>> | undefined;
  let extra: Readonly<Record<string, unknown>> | undefined;
  if (isArangoError(err)) {
    status = err.httpStatus;
    errorNum = err.errorNum;
    message = err.message;
    headers = err.headers;
    extra = err.extra;
  } else {
    log.error({ err }, 'unexpected error while handling a request');
    if (err instanceof Error) message = `internal error: ${err.message}`;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(JSON.stringify({ code: status, error: true, errorMessage: message, errorNum, ...extra }));
  res.writeHead(status, { ...headers, 'x-arango-queue-time-seconds': '0', 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}
