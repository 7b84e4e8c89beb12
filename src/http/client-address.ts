import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The header a coordinator adds when it forwards a client's request to a DB-server: the client's
 * address and an HMAC of it under a key derived from the deployment's JWT secret. A DB-server
 * rate-limits logins by that address, not by the coordinator's (else ten wrong guesses by one
 * client would lock a user out for everyone behind that coordinator). Without the key, or with a
 * wrong MAC, the header is ignored: a client cannot pose as another address.
 */
export const CLIENT_HEADER = 'x-kitsune-client';

let key: Buffer | undefined;

/** Trusts (and signs) forwarded client addresses with a key derived from `secret`. */
export function trustForwardedClients(secret: string): void {
  key = createHmac('sha256', secret).update('kitsune forwarded client address').digest();
}

function macOf(address: string, k: Buffer): Buffer {
  return createHmac('sha256', k).update(address).digest().subarray(0, 16);
}

/** The client a request comes from: the signed forwarded address when valid, else the peer's address. */
export function clientAddressOf(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? '';
  const header = req.headers[CLIENT_HEADER];
  if (key === undefined || typeof header !== 'string') return peer;
  const dot = header.lastIndexOf('.');
  if (dot <= 0) return peer;
  const address = header.slice(0, dot);
  const given = Buffer.from(header.slice(dot + 1), 'base64url');
  const want = macOf(address, key);
  return given.length === want.length && timingSafeEqual(given, want) ? address : peer;
}

/** Signed values by connection: a keep-alive connection forwards many requests of one client. */
const signed = new WeakMap<Socket, { key: Buffer; header: string | undefined; value: string }>();

/** The header value that forwards `req`'s client (undefined when this server has no key). */
export function forwardedClientHeader(req: IncomingMessage): string | undefined {
  if (key === undefined) return undefined;
  const incoming = req.headers[CLIENT_HEADER];
  const header = typeof incoming === 'string' ? incoming : undefined;
  const hit = signed.get(req.socket);
  // the HMAC is computed once per connection (and again only if the key or the incoming header changes)
  if (hit !== undefined && hit.key === key && hit.header === header) return hit.value;
  const address = clientAddressOf(req);
  const value = `${address}.${macOf(address, key).toString('base64url')}`;
  signed.set(req.socket, { key, header, value });
  return value;
}
