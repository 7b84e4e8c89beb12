import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';

/**
 * ArangoDB's endpoint notation (`tcp://`, `ssl://`, also `tls://`) as the URL clients and members
 * use (`http://`, `https://`). `http(s)://` passes unchanged; trailing slashes go.
 */
export function toHttpEndpoint(endpoint: string): string {
  return endpoint
    .replace(/^tcp:\/\//i, 'http://')
    .replace(/^(ssl|tls):\/\//i, 'https://')
    .replace(/\/+$/, '');
}

let trusted: string[] | undefined;

/** The CAs outgoing connections trust (`--ssl.cafile` plus the system's), for agents made by hand; undefined: the defaults. */
export function peerCa(): readonly string[] | undefined {
  return trusted;
}

/**
 * Makes every outgoing connection of this process (replication from the leader, forwarding,
 * `fetch` and `https.request`) trust the CAs of `--ssl.cafile` in addition to the system's, so
 * members that advertise `ssl://`/`https://` endpoints with certificates of a private CA reach
 * each other. Certificates are verified as usual (host name included): an unknown CA fails.
 */
export function trustPeerCertificates(caFile: string): void {
  if (caFile === '') return;
  const ca = [...tls.rootCertificates, fs.readFileSync(caFile, 'utf8')];
  trusted = ca;
  // global fetch reads undici's global dispatcher
  setGlobalDispatcher(new Agent({ connect: { ca }, keepAliveTimeout: 10_000 }));
  https.globalAgent.options.ca = ca;
}
