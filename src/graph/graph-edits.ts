import { ArangoError } from '../errors/index.ts';
import { vertexCollections, type EdgeDefinition, type GraphDefinition } from './graph-store.ts';

/**
 * The edits of a named graph's definition that gharial and `@arangodb/general-graph` offer, as
 * pure functions (`GraphStore.update` validates and stores the result). Vertex collections an
 * edit leaves unreferenced stay in the graph as orphans, as in ArangoDB.
 */

/** Adds an orphan vertex collection; 1929 when the graph already has it. */
export function addVertexCollection(g: GraphDefinition, name: string): GraphDefinition {
  if (vertexCollections(g).includes(name)) throw new ArangoError('ERROR_GRAPH_COLLECTION_USED_IN_EDGE_DEF', `${name} is already part of the graph`);
  return { ...g, orphanCollections: [...g.orphanCollections, name] };
}

/** Removes an orphan vertex collection; 1928 when not an orphan (1929 when an edge definition uses it). */
export function removeVertexCollection(g: GraphDefinition, name: string): GraphDefinition {
  if (!g.orphanCollections.includes(name)) {
    if (vertexCollections(g).includes(name)) throw new ArangoError('ERROR_GRAPH_COLLECTION_USED_IN_EDGE_DEF');
    throw new ArangoError('ERROR_GRAPH_NOT_IN_ORPHAN_COLLECTION');
  }
  return { ...g, orphanCollections: g.orphanCollections.filter((o) => o !== name) };
}

/** Adds an edge definition; 1920 when the graph already has one for its collection. */
export function addEdgeDefinition(g: GraphDefinition, def: EdgeDefinition): GraphDefinition {
  if (g.edgeDefinitions.some((d) => d.collection === def.collection)) throw new ArangoError('ERROR_GRAPH_COLLECTION_MULTI_USE');
  const orphanCollections = g.orphanCollections.filter((o) => !def.from.includes(o) && !def.to.includes(o));
  return { ...g, edgeDefinitions: [...g.edgeDefinitions, def], orphanCollections };
}

/** Replaces the edge definition of `def.collection`; 1930 when the graph has none. */
export function replaceEdgeDefinition(g: GraphDefinition, name: string, def: EdgeDefinition): GraphDefinition {
  if (!g.edgeDefinitions.some((d) => d.collection === name)) throw new ArangoError('ERROR_GRAPH_EDGE_COLLECTION_NOT_USED');
  return keepOrphans(g, g.edgeDefinitions.map((d) => (d.collection === name ? def : d)));
}

/** Removes the edge definition of `name`; 1930 when the graph has none. */
export function removeEdgeDefinition(g: GraphDefinition, name: string): GraphDefinition {
  if (!g.edgeDefinitions.some((d) => d.collection === name)) throw new ArangoError('ERROR_GRAPH_EDGE_COLLECTION_NOT_USED');
  return keepOrphans(g, g.edgeDefinitions.filter((d) => d.collection !== name));
}

function keepOrphans(g: GraphDefinition, edgeDefinitions: readonly EdgeDefinition[]): GraphDefinition {
  const before = vertexCollections(g);
  const used = new Set(edgeDefinitions.flatMap((d) => [...d.from, ...d.to]));
  const kept = before.filter((c) => !used.has(c) && !g.orphanCollections.includes(c));
  return { ...g, edgeDefinitions, orphanCollections: [...g.orphanCollections.filter((o) => !used.has(o)), ...kept] };
}
