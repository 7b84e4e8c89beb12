import { ArangoError } from '../../errors/index.ts';
import {
  addEdgeDefinition,
  addVertexCollection,
  GraphStore,
  parseEdgeDefinition,
  removeEdgeDefinition,
  removeVertexCollection,
  vertexCollections,
  type GraphDefinition,
  type MemberWrite,
} from '../../graph/index.ts';
import { isPlainObject, type Collection, type Document, type StorageEngine, type WriteOptions, type WriteResult } from '../../storage/index.ts';
import type { HttpReply, RequestContext } from '../context.ts';
import type { Router } from '../router.ts';
import type { TransactionManager } from '../../transaction/index.ts';
import { transactionId } from './document-api.ts';
import { writeMemberInTransaction } from './gharial-trx.ts';
import { writeOptions } from './document-params.ts';

/** The graph object of gharial answers. */
function graphBody(doc: Document): Record<string, unknown> {
  return { ...doc, _id: `_graphs/${doc._key}`, name: doc._key };
}

function parseGraph(body: unknown): GraphDefinition {
  if (!isPlainObject(body)) throw new ArangoError('ERROR_BAD_PARAMETER', 'expecting a JSON object');
  const opts = isPlainObject(body['options']) ? body['options'] : {};
  if (body['isSmart'] === true || body['isDisjoint'] === true || opts['isSmart'] === true || body['isSatellite'] === true || opts['replicationFactor'] === 'satellite') {
    // SmartGraphs, EnterpriseGraphs and SatelliteGraphs are Enterprise Edition features
    throw new ArangoError('ERROR_NOT_IMPLEMENTED', 'SmartGraphs, EnterpriseGraphs and SatelliteGraphs are not available');
  }
  const name = body['name'];
  if (typeof name !== 'string' || name === '') throw new ArangoError('ERROR_GRAPH_CREATE_MISSING_NAME');
  const defs = body['edgeDefinitions'] ?? [];
  if (!Array.isArray(defs)) throw new ArangoError('ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION');
  const orphans = body['orphanCollections'] ?? [];
  if (!Array.isArray(orphans) || !orphans.every((o): o is string => typeof o === 'string')) throw new ArangoError('ERROR_BAD_PARAMETER', 'orphanCollections must be an array of names');
  return { name, edgeDefinitions: defs.map(parseEdgeDefinition), orphanCollections: orphans };
}

/** `/_api/gharial`: named graphs, their edge definitions, and vertex/edge CRUD through a graph. */
export function registerGharialApi(router: Router, engine: StorageEngine, transactions: TransactionManager): void {
  const graphs = new GraphStore(engine);
  const status = (ctx: RequestContext, ok: number): number => (ctx.flag('waitForSync', false) ? ok : 202);
  const graphReply = (ctx: RequestContext, doc: Document, ok = 201): HttpReply => ({
    status: status(ctx, ok),
    body: { error: false, code: status(ctx, ok), graph: graphBody(doc) },
  });

  router.add('GET', '/_api/gharial', (ctx) => {
    const c = engine.findCollection(ctx.database, '_graphs');
    return { status: 200, body: { error: false, code: 200, graphs: c ? [...c.all()].map(graphBody) : [] } };
  });
  router.add('POST', '/_api/gharial', async (ctx) => {
    ctx.requireDatabase('rw');
    return graphReply(ctx, await graphs.create(ctx.database, parseGraph(await ctx.json())), 201);
  });
  router.add('GET', '/_api/gharial/:graph', (ctx) => ({
    status: 200,
    body: { error: false, code: 200, graph: graphBody(graphs.document(ctx.database, ctx.param(0))) },
  }));
  router.add('DELETE', '/_api/gharial/:graph', async (ctx) => {
    ctx.requireDatabase('rw');
    await graphs.drop(ctx.database, ctx.param(0), ctx.flag('dropCollections', false));
    return { status: status(ctx, 200) === 202 ? 202 : 200, body: { error: false, code: 202, removed: true } };
  });

  // ---- definitions ----------------------------------------------------------------------------

  router.add('GET', '/_api/gharial/:graph/vertex', (ctx) => ({
    status: 200,
    body: { error: false, code: 200, collections: vertexCollections(graphs.get(ctx.database, ctx.param(0))) },
  }));
  router.add('POST', '/_api/gharial/:graph/vertex', async (ctx) => {
    ctx.requireDatabase('rw');
    const body = await ctx.json();
    const name = isPlainObject(body) ? body['collection'] : undefined;
    if (typeof name !== 'string' || name === '') throw new ArangoError('ERROR_BAD_PARAMETER', "expecting 'collection'");
    const doc = await graphs.update(ctx.database, ctx.param(0), (g) => addVertexCollection(g, name));
    return graphReply(ctx, doc);
  });
  router.add('DELETE', '/_api/gharial/:graph/vertex/:collection', async (ctx) => {
    ctx.requireDatabase('rw');
    const name = ctx.param(1);
    const doc = await graphs.update(ctx.database, ctx.param(0), (g) => removeVertexCollection(g, name));
    if (ctx.flag('dropCollection', false)) await graphs.dropIfUnused(ctx.database, name);
    return graphReply(ctx, doc, 200);
  });

  router.add('GET', '/_api/gharial/:graph/edge', (ctx) => ({
    status: 200,
    body: { error: false, code: 200, collections: graphs.get(ctx.database, ctx.param(0)).edgeDefinitions.map((d) => d.collection).sort() },
  }));
  router.add('POST', '/_api/gharial/:graph/edge', async (ctx) => {
    ctx.requireDatabase('rw');
    const def = parseEdgeDefinition(await ctx.json());
    const doc = await graphs.update(ctx.database, ctx.param(0), (g) => addEdgeDefinition(g, def));
    return graphReply(ctx, doc);
  });
  router.add('PUT', '/_api/gharial/:graph/edge/:collection', async (ctx) => {
    ctx.requireDatabase('rw');
    const def = parseEdgeDefinition(await ctx.json());
    const name = ctx.param(1);
    // every graph using this edge collection gets the new definition (ArangoDB)
    const doc = await graphs.replaceEdgeDefinition(ctx.database, ctx.param(0), name, def);
    return graphReply(ctx, doc);
  });
  router.add('DELETE', '/_api/gharial/:graph/edge/:collection', async (ctx) => {
    ctx.requireDatabase('rw');
    const name = ctx.param(1);
    const doc = await graphs.update(ctx.database, ctx.param(0), (g) => removeEdgeDefinition(g, name));
    if (ctx.flag('dropCollections', false)) await graphs.dropIfUnused(ctx.database, name);
    return graphReply(ctx, doc);
  });

  // ---- vertices and edges ---------------------------------------------------------------------

  const member = (ctx: RequestContext, kind: 'vertex' | 'edge', need: 'ro' | 'rw'): { g: GraphDefinition; c: Collection } => {
    const m = graphs.member(ctx.database, ctx.param(0), kind, ctx.param(1));
    ctx.requireCollection(m.c.name, need);
    return m;
  };
  const docReply = (ctx: RequestContext, kind: string, r: WriteResult, ok: number): HttpReply => {
    const { new: nw, old, ...meta } = r;
    const body: Record<string, unknown> = { error: false, code: status(ctx, ok), [kind]: meta };
    if (nw) body['new'] = nw;
    if (old) body['old'] = old;
    return { status: status(ctx, ok), body };
  };

  /** A vertex or edge write: inside the request's stream transaction when it names one. */
  const writeMember = (ctx: RequestContext, kind: 'vertex' | 'edge', name: string, w: MemberWrite, opts: WriteOptions): Promise<WriteResult> => {
    const id = transactionId(ctx);
    if (id === undefined) return graphs.writeMember(ctx.database, ctx.param(0), kind, name, w, opts);
    return transactions.as(ctx.principal).within(ctx.database, id, (trx) => writeMemberInTransaction(engine, graphs, trx, ctx.param(0), kind, name, w, opts));
  };

  for (const kind of ['vertex', 'edge'] as const) {
    router.add('POST', `/_api/gharial/:graph/${kind}/:collection`, async (ctx) => {
      const { c } = member(ctx, kind, 'rw');
      const body = await ctx.json();
      if (!isPlainObject(body)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
      const opts = writeOptions(ctx, c.definition.waitForSync);
      return docReply(ctx, kind, await writeMember(ctx, kind, c.name, { op: 'insert', body }, opts), 201);
    });
    router.add('GET', `/_api/gharial/:graph/${kind}/:collection/:key`, async (ctx) => {
      const { c } = member(ctx, kind, 'ro');
      const key = ctx.param(2);
      const id = transactionId(ctx);
      const doc = id === undefined ? c.get(key) : await transactions.as(ctx.principal).within(ctx.database, id, (trx) => trx.get(trx.readable(c.name), key));
      if (!doc) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', undefined, { extra: { _key: key } });
      const ifMatch = ctx.req.headers['if-match'];
      const rev = ctx.query.get('rev') ?? (typeof ifMatch === 'string' ? ifMatch.replace(/"/g, '') : null);
      if (rev !== null && rev !== doc._rev) throw new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict, _rev values do not match', { httpStatus: 412 });
      return { status: 200, body: { error: false, code: 200, [kind]: doc } };
    });
    for (const [method, op] of [['PUT', 'replace'], ['PATCH', 'update']] as const) {
      router.add(method, `/_api/gharial/:graph/${kind}/:collection/:key`, async (ctx) => {
        const { c } = member(ctx, kind, 'rw');
        const body = await ctx.json();
        if (!isPlainObject(body)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
        const opts = writeOptions(ctx, c.definition.waitForSync);
        const r = await writeMember(ctx, kind, c.name, { op, key: ctx.param(2), body }, opts);
        return docReply(ctx, kind, r, 200);
      });
    }
    router.add('DELETE', `/_api/gharial/:graph/${kind}/:collection/:key`, async (ctx) => {
      const { c } = member(ctx, kind, 'rw');
      const opts = writeOptions(ctx, c.definition.waitForSync);
      const r = await writeMember(ctx, kind, c.name, { op: 'remove', key: ctx.param(2) }, opts);
      const body: Record<string, unknown> = { error: false, code: status(ctx, 200), removed: true };
      if (r.old) body['old'] = r.old;
      return { status: status(ctx, 200), body };
    });
  }
}
