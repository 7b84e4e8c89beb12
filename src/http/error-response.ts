import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { queueTimeHeader } from '../common/queue-time.ts';
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
  res.writeHead(status, { ...headers, 'x-arango-queue-time-seconds': queueTimeHeader(), 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/**
 * Answers a request node's HTTP parser refused (bad request line, raw non-ASCII bytes in the URL,
 * malformed headers) with ArangoDB's error body and closes the connection.
 */
export function sendParseError(socket: Duplex, err: Error & { code?: string }): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  // node's own answers for these two (headers too large, request not sent in time)
  const [status, text] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
  const body = JSON.stringify({ code: status, error: true, errorMessage: 'malformed HTTP request', errorNum: status === 431 ? 400 : status });
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
