export { GraphStore, parseEdgeDefinition, vertexCollections, type EdgeDefinition, type GraphDefinition } from './graph-store.ts';
