import net from 'node:net';

/** An upload over a raw socket: the test decides when (and whether) the body's bytes are sent. */
export interface RawUpload {
  /** Body bytes handed to the socket so far. */
  readonly sent: () => number;
  /** Sends `n` more body bytes (resolves once the socket took them). */
  write(n: number): Promise<void>;
  /** The status line's code of the first answer, once it arrived (null: the connection closed without one). */
  readonly status: Promise<number | null>;
  /** Resolves when the server closed (or reset) the connection. */
  readonly closed: Promise<void>;
  /** Everything the server sent so far (latin1). */
  readonly received: () => string;
  /** Whether the connection is closed. */
  readonly isClosed: () => boolean;
  destroy(): void;
}

/**
 * Opens `method urlPath` on `endpoint` (http only) declaring `Content-Length: declared` and sends
 * nothing of the body yet: a slow or stalled client, or one that will send more than it may.
 * `from`: the local address to connect from (another client address, e.g. `127.0.0.2`).
 */
export function openUpload(endpoint: string, method: string, urlPath: string, declared: number, headers: Record<string, string> = {}, from?: string): RawUpload {
  const url = new URL(endpoint);
  const socket = net.connect({ port: Number(url.port), host: url.hostname, ...(from === undefined ? {} : { localAddress: from }) });
  let sent = 0;
  let text = '';
  let closed = false;
  let onStatus: (s: number | null) => void = () => undefined;
  const status = new Promise<number | null>((resolve) => (onStatus = resolve));
  const closedP = new Promise<void>((resolve) => socket.once('close', () => {
    closed = true;
    onStatus(null);
    resolve();
  }));
  socket.on('error', () => undefined);
  socket.on('data', (c: Buffer) => {
    text += c.toString('latin1');
    const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
    if (m?.[1] !== undefined) onStatus(Number(m[1]));
  });
  const head = [`${method} ${urlPath} HTTP/1.1`, `host: ${url.host}`, `content-length: ${declared}`, 'content-type: application/octet-stream'];
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  return {
    sent: () => sent,
    write: (n) =>
      new Promise<void>((resolve) => {
        if (closed || socket.destroyed) {
          resolve();
          return;
        }
        sent += n;
        socket.write(Buffer.alloc(n, 0x61), () => resolve());
      }),
    status,
    closed: closedP,
    isClosed: () => closed,
    received: () => text,
    destroy: () => socket.destroy(),
  };
}

/** Resident memory of a process (Linux), in bytes. */
export async function rssBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Resolves with `p`'s value, or `undefined` after `ms` (one step of a poll that has its own deadline). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}
