import v8 from 'node:v8';
import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import { handleDbCall } from '../foxx/db-host.ts';
import { QueueService } from '../foxx/queues.ts';
import { toWireError, type HostCall, type HostReply } from '../foxx/runtime/protocol.ts';
import { fromWireError } from '../foxx/runtime/sync-call.ts';
import { peerRequest } from './peer-http.ts';
import type { Router } from '../http/index.ts';
import type { QueryService } from '../query/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import type { TransactionManager } from '../transaction/index.ts';

/** Path of the DB-server route that runs a coordinator's Foxx `db` calls. */
export const HOST_CALL_PATH = '/_api/kitsune/foxx/call';
const V8_TYPE = 'application/x-kitsune-v8';

/**
 * DB-server side of Foxx on coordinators: a service's synchronous `db` call (document, collection,
 * AQL, queue operations) made on a coordinator arrives here as one request (superuser JWT only,
 * v8-serialised `{op, args}`) and runs exactly as on a single server, on the database's leader.
 */
export function registerFoxxHostCalls(router: Router, engine: StorageEngine, log: Logger, queries?: QueryService, transactions?: TransactionManager): void {
  // storage operations of `@arangodb/foxx/queues` only: jobs run on the coordinators' Foxxmaster
  const queues = new QueueService(engine, log);
  router.add('POST', HOST_CALL_PATH, async (ctx) => {
    if (ctx.principal !== null && !ctx.principal.superuser) throw new ArangoError('ERROR_FORBIDDEN');
    let reply: HostReply;
    try {
      const raw = v8.deserialize(await ctx.body()) as { op?: unknown; args?: unknown };
      if (typeof raw.op !== 'string') throw new ArangoError('ERROR_BAD_PARAMETER', 'op must be a string');
      const call: HostCall = { op: raw.op, database: ctx.database, args: (typeof raw.args === 'object' && raw.args !== null ? raw.args : {}) as Record<string, unknown> };
      const value = call.op.startsWith('queue.') || call.op.startsWith('job.') ? await queues.handle(call) : await handleDbCall(engine, call, queries, transactions);
      reply = { ok: true, value };
    } catch (err) {
      reply = { ok: false, error: toWireError(err) };
    }
    let out: Buffer;
    try {
      out = v8.serialize(reply);
    } catch (err) {
      out = v8.serialize({ ok: false, error: toWireError(err) } satisfies HostReply);
    }
    return { status: 200, raw: out, headers: { 'content-type': V8_TYPE } };
  });
}

/**
 * Coordinator side: sends one host call to `endpoint` (the database's leader) and returns its
 * value or throws its error (the service sees the DB-server's ArangoDB error as is).
 */
export function remoteHostCall(endpoint: string, authorization: string, call: HostCall, timeoutMs = 60_000): Promise<unknown> {
  const body = v8.serialize({ op: call.op, args: call.args });
  return new Promise((resolve, reject) => {
    const req = peerRequest(
      endpoint,
      {
        pool: 'host-calls',
        maxSockets: 64,
        method: 'POST',
        path: `/_db/${encodeURIComponent(call.database)}${HOST_CALL_PATH}`,
        headers: { authorization, 'content-type': V8_TYPE, 'content-length': String(body.length) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          if (res.statusCode !== 200 || res.headers['content-type'] !== V8_TYPE) {
            let message = `DB-server answered ${String(res.statusCode)}`;
            let errorNum: number | undefined;
            try {
              const b = JSON.parse(data.toString('utf8')) as { errorMessage?: unknown; errorNum?: unknown };
              if (typeof b.errorMessage === 'string') message = b.errorMessage;
              if (typeof b.errorNum === 'number') errorNum = b.errorNum;
            } catch {
              // not JSON
            }
            reject(fromWireError({ message, ...(errorNum === undefined ? {} : { errorNum }), ...(res.statusCode === undefined ? {} : { httpStatus: res.statusCode }) }));
            return;
          }
          try {
            const reply = v8.deserialize(data) as HostReply;
            if (reply.ok) resolve(reply.value);
            else reject(fromWireError(reply.error));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new ArangoError('ERROR_CLUSTER_TIMEOUT', `DB-server ${endpoint} did not answer in time`)));
    req.on('error', (cause) => reject(cause instanceof ArangoError ? cause : new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `DB-server ${endpoint} cannot be reached`, { cause })));
    req.end(body);
  });
}
