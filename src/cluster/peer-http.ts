import http from 'node:http';
import https from 'node:https';
import { peerCa } from '../http/index.ts';

/** A server-to-server endpoint (`http://` or `https://host:port`), parsed once. */
interface Peer {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: string;
}

const peers = new Map<string, Peer>();
const agents = new Map<string, http.Agent>();

/** `http(s)://host:port` → scheme, host and port, cached per endpoint. */
function peerOf(target: string): Peer {
  let p = peers.get(target);
  if (p === undefined) {
    const u = new URL(target);
    p = { secure: u.protocol === 'https:', hostname: u.hostname, port: u.port };
    if (peers.size > 1000) peers.clear();
    peers.set(target, p);
  }
  return p;
}

/**
 * One keep-alive pool per purpose and scheme; HTTPS pools trust `--ssl.cafile` (made on first use,
 * after the configuration applied it) and verify host names as usual.
 */
function agentFor(pool: string, secure: boolean, maxSockets: number): http.Agent {
  const key = `${pool}:${secure ? 's' : 'p'}`;
  let a = agents.get(key);
  if (a === undefined) {
    const options = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
    const ca = peerCa();
    a = secure ? new https.Agent({ ...options, ...(ca === undefined ? {} : { ca: [...ca] }) }) : new http.Agent(options);
    agents.set(key, a);
  }
  return a;
}

/** Options of {@link peerRequest}: `pool` names the keep-alive pool (e.g. `forward`, `host-calls`). */
export interface PeerRequestOptions {
  readonly pool: string;
  readonly maxSockets: number;
  readonly method: string;
  readonly path: string;
  readonly headers: http.OutgoingHttpHeaders;
  readonly timeout?: number;
}

/**
 * An HTTP request from this server to another member of the cluster (DB-server, coordinator), over
 * https when the member advertises an `https://` endpoint, through a per-purpose keep-alive pool.
 */
export function peerRequest(target: string, o: PeerRequestOptions, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const p = peerOf(target);
  const options: http.RequestOptions = { host: p.hostname, port: p.port, method: o.method, path: o.path, headers: o.headers, agent: agentFor(o.pool, p.secure, o.maxSockets) };
  if (o.timeout !== undefined) options.timeout = o.timeout;
  return p.secure ? https.request(options, onResponse) : http.request(options, onResponse);
}
