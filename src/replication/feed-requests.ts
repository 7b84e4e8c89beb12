import { ArangoError } from '../errors/index.ts';
import type { RequestContext } from '../http/index.ts';
import type { Collection, StorageEngine } from '../storage/index.ts';

// Request parsing and small pieces of the leader feed's routes (`leader-feed.ts`).

/** Replication needs the deployment's superuser token (or authentication switched off). */
export function requireReplicationRights(ctx: RequestContext): void {
  if (ctx.principal === null || ctx.principal.superuser) return;
  throw new ArangoError('ERROR_FORBIDDEN', 'replication requires the deployment superuser token');
}

export function collectionInventory(c: Collection): Record<string, unknown> {
  const d = c.definition;
  return {
    parameters: {
      cid: d.id,
      id: d.id,
      globallyUniqueId: d.id,
      name: d.name,
      type: d.type,
      isSystem: d.isSystem,
      waitForSync: d.waitForSync,
      keyOptions: d.keyOptions,
      schema: d.schema,
      counter: d.counter,
      deleted: false,
    },
    indexes: d.indexes.filter((ix) => ix.type === 'persistent'),
  };
}

export function waitForCommit(engine: StorageEngine, ms: number, ctx: RequestContext, sleepers: Set<() => void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let off: () => unknown = () => true;
    const done = (): void => {
      off();
      clearTimeout(timer);
      ctx.req.off('close', done);
      sleepers.delete(done);
      resolve();
    };
    sleepers.add(done);
    const timer = setTimeout(done, ms);
    off = engine.onCommit(done);
    ctx.req.once('close', done);
  });
}

export function ttlMs(body: unknown): number {
  const ttl = typeof body === 'object' && body !== null ? (body as { ttl?: unknown }).ttl : undefined;
  return (typeof ttl === 'number' && ttl > 0 ? ttl : 300) * 1000;
}

export function positive(raw: string | null, dflt: number): number {
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : dflt;
}

export function nonNegative(raw: string | null, dflt: number): number {
  const n = raw === null || raw === '' ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : dflt;
}

export function isoSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
