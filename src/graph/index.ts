export { GraphStore, parseEdgeDefinition, vertexCollections, type EdgeDefinition, type GraphDefinition, type MemberWrite } from './graph-store.ts';
export { addEdgeDefinition, addVertexCollection, removeEdgeDefinition, removeVertexCollection, replaceEdgeDefinition } from './graph-edits.ts';
