import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArangoError } from '../errors/index.ts';
import type { RequestGate } from '../http/index.ts';

/** Paths a non-leader still serves (spec §2.1), matched as prefixes of the path after `/_db/<name>`. */
const ALLOWED_PREFIXES = [
  '/_admin/shutdown',
  '/_admin/cluster/health',
  '/_admin/log',
  '/_admin/server/',
  '/_admin/status',
  '/_admin/statistics',
  '/_api/agency/agency-callbacks',
  '/_api/cluster/',
  '/_api/engine/stats',
  '/_api/replication',
  '/_api/ttl/statistics',
  '/_api/wal',
] as const;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the gate needs to know about the member, read on every request. */
export interface GateView {
  /** `leader` (may write while its lease is certain), `follower` (of `leaderEndpoint`), or `unknown` (race / takeover in progress). */
  mode(): 'leader' | 'follower' | 'unknown';
  /** The leader's client endpoint (`http://…`) while following. */
  leaderEndpoint(): string;
  /** True while this leader can prove its lease (fencing). */
  canWrite(): boolean;
}

/** True when a non-leader serves `path` anyway (`/_api/version` only while following). */
export function isAllowedOnNonLeader(path: string, following: boolean): boolean {
  if (path === '/_admin/compact') return true;
  if (following && path.startsWith('/_api/version')) return true;
  return ALLOWED_PREFIXES.some((p) => path.startsWith(p));
}

/**
 * The active-failover request gate, run before authentication (spec §2.1–2.3):
 * - leader: everything passes while its lease is certain; once it is not, writes get 503 1495;
 * - follower: allowed paths pass; with `X-Arango-Allow-Dirty-Read: true` reads and AQL read
 *   queries pass (marked `x-arango-potential-dirty-read`) and writes get 403 1004; everything else 503 1496 with
 *   `x-arango-endpoint: <leader>`;
 * - unknown leader: allowed paths pass, everything else 503 1495 with an empty endpoint.
 */
export function createRequestGate(view: GateView): RequestGate {
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const method = req.method ?? 'GET';
    const mode = view.mode();
    if (mode === 'leader') {
      if (READ_METHODS.has(method) || view.canWrite() || isAllowedOnNonLeader(path, false)) return;
      throw new ArangoError('ERROR_CLUSTER_LEADERSHIP_CHALLENGE_ONGOING', 'this leader cannot confirm its leadership; writes are refused', {
        headers: { 'x-arango-endpoint': '' },
      });
    }
    if (mode === 'follower') {
      const endpoint = view.leaderEndpoint();
      res.setHeader('x-arango-endpoint', endpoint);
      res.setHeader('x-arango-potential-dirty-read', 'true');
      if (isAllowedOnNonLeader(path, true)) return;
      if (isTrue(req.headers['x-arango-allow-dirty-read'])) {
        if (READ_METHODS.has(method) || isQueryPath(path)) return;
        throw new ArangoError('ERROR_ARANGO_READ_ONLY', 'a follower is read-only', { headers: { 'x-arango-endpoint': endpoint } });
      }
      throw new ArangoError('ERROR_CLUSTER_NOT_LEADER', undefined, { headers: { 'x-arango-endpoint': endpoint } });
    }
    res.setHeader('x-arango-endpoint', '');
    if (isAllowedOnNonLeader(path, false)) return;
    throw new ArangoError('ERROR_CLUSTER_LEADERSHIP_CHALLENGE_ONGOING', undefined, { headers: { 'x-arango-endpoint': '' } });
  };
}

/**
 * AQL endpoints a follower serves to dirty readers whatever the method: the query service
 * itself refuses modification queries on a server that is not writable (403 1004).
 */
function isQueryPath(path: string): boolean {
  return path === '/_api/cursor' || path.startsWith('/_api/cursor/') || path === '/_api/explain' || path === '/_api/query';
}

function isTrue(v: string | string[] | undefined): boolean {
  const s = Array.isArray(v) ? v[0] : v;
  return s !== undefined && ['true', '1', 'yes', 'on'].includes(s.trim().toLowerCase());
}
