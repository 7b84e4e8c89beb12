import { ArangoError } from '../errors/index.ts';
import {
  addEdgeDefinition,
  addVertexCollection,
  GraphStore,
  parseEdgeDefinition,
  removeEdgeDefinition,
  removeVertexCollection,
  type GraphDefinition,
  type MemberWrite,
} from '../graph/index.ts';
import { isPlainObject, type Document, type StorageEngine, type WriteOptions } from '../storage/index.ts';
import type { HostCall } from './runtime/protocol.ts';

type Args = Readonly<Record<string, unknown>>;

function str(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v === '') throw new ArangoError('ERROR_BAD_PARAMETER', `${name} must be a non-empty string`);
  return v;
}

/** A graph as `@arangodb/general-graph` receives it (gharial's shape). */
function graphBody(doc: Document): Record<string, unknown> {
  return { ...doc, _id: `_graphs/${doc._key}`, name: doc._key };
}

function definitionOf(args: Args): GraphDefinition {
  const defs = args['edgeDefinitions'] ?? [];
  const orphans = args['orphanCollections'] ?? [];
  if (!Array.isArray(defs)) throw new ArangoError('ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION');
  if (!Array.isArray(orphans) || !orphans.every((o): o is string => typeof o === 'string')) {
    throw new ArangoError('ERROR_BAD_PARAMETER', 'orphanCollections must be an array of names');
  }
  const options = isPlainObject(args['options']) ? args['options'] : {};
  if (options['isSmart'] === true || options['isDisjoint'] === true || options['replicationFactor'] === 'satellite') {
    throw new ArangoError('ERROR_NOT_IMPLEMENTED', 'SmartGraphs, EnterpriseGraphs and SatelliteGraphs are not available');
  }
  return { name: str(args, 'name'), edgeDefinitions: defs.map(parseEdgeDefinition), orphanCollections: orphans };
}

function memberWrite(args: Args): MemberWrite {
  const op = args['op'];
  const body = isPlainObject(args['body']) ? args['body'] : undefined;
  if (op === 'remove') return { op, key: str(args, 'key') };
  if (body === undefined) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
  if (op === 'insert') return { op, body };
  if (op === 'replace' || op === 'update') return { op, key: str(args, 'key'), body };
  throw new ArangoError('ERROR_BAD_PARAMETER', `unknown graph write ${String(op)}`);
}

/**
 * Main-thread side of `@arangodb/general-graph`: named graphs and their definitions, and vertex
 * and edge writes through a graph, with the same `GraphStore` rules as `/_api/gharial`.
 */
export async function handleGraphCall(engine: StorageEngine, call: HostCall, writeOptions: (x: unknown) => WriteOptions): Promise<unknown> {
  const { database, args } = call;
  const graphs = new GraphStore(engine);
  if (typeof args['trx'] === 'string' && call.op !== 'graph.get' && call.op !== 'graph.list' && call.op !== 'graph.exists') {
    // graph writes would bypass the transaction's overlay: refused rather than half-isolated
    throw new ArangoError('ERROR_TRANSACTION_DISALLOWED_OPERATION', 'graph operations cannot run inside db._executeTransaction; use the collections directly');
  }
  switch (call.op) {
    case 'graph.list':
      return graphs.list(database).map((g) => graphBody(graphs.document(database, g.name)));
    case 'graph.exists':
      return engine.findCollection(database, '_graphs')?.get(str(args, 'name')) !== undefined;
    case 'graph.get':
      return graphBody(graphs.document(database, str(args, 'name')));
    case 'graph.create':
      return graphBody(await graphs.create(database, definitionOf(args)));
    case 'graph.drop':
      await graphs.drop(database, str(args, 'name'), args['dropCollections'] === true);
      return true;
    case 'graph.edit':
      return graphBody(await editGraph(engine, graphs, database, args));
    case 'graph.write':
      return graphs.writeMember(database, str(args, 'graph'), args['kind'] === 'edge' ? 'edge' : 'vertex', str(args, 'collection'), memberWrite(args), writeOptions(args['opts']));
    default:
      throw new ArangoError('ERROR_NOT_IMPLEMENTED', `unknown host call ${call.op}`);
  }
}

async function editGraph(engine: StorageEngine, graphs: GraphStore, database: string, args: Args): Promise<Document> {
  const name = str(args, 'name');
  const drop = args['dropCollection'] === true;
  switch (args['edit']) {
    case 'addVertexCollection': {
      const collection = str(args, 'collection');
      if (args['createCollection'] === false && !engine.findCollection(database, collection)) {
        throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${collection}`);
      }
      return graphs.update(database, name, (g) => addVertexCollection(g, collection));
    }
    case 'removeVertexCollection': {
      const collection = str(args, 'collection');
      const doc = await graphs.update(database, name, (g) => removeVertexCollection(g, collection));
      if (drop) await graphs.dropIfUnused(database, collection);
      return doc;
    }
    case 'addEdgeDefinition': {
      const def = parseEdgeDefinition(args['definition']);
      return graphs.update(database, name, (g) => addEdgeDefinition(g, def));
    }
    case 'replaceEdgeDefinition': {
      const def = parseEdgeDefinition(args['definition']);
      // _editEdgeDefinitions: every graph using the edge collection is edited along (ArangoDB)
      return graphs.replaceEdgeDefinition(database, name, def.collection, def);
    }
    case 'removeEdgeDefinition': {
      const collection = str(args, 'collection');
      const doc = await graphs.update(database, name, (g) => removeEdgeDefinition(g, collection));
      if (drop) await graphs.dropIfUnused(database, collection);
      return doc;
    }
    default:
      throw new ArangoError('ERROR_BAD_PARAMETER', `unknown graph edit ${String(args['edit'])}`);
  }
}
