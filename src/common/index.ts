export { systemClock, ManualClock, type Clock } from './clock.ts';
export { collationFingerprint, compareStrings, stringSortKey } from './collation.ts';
export { removeProtoAccessor, REMOVE_PROTO_ACCESSOR_SOURCE } from './proto-guard.ts';
export { currentQueueTime, queueTimeHeader, recordQueryWait, registerQueue } from './queue-time.ts';
export { retry, retryDelayMs, sleep, type RetryAttemptInfo, type RetryOptions, type RetryPolicy } from './retry.ts';
export { validateJsonSchema } from './json-schema.ts';
export {
  angle, arcsCross, cross, dot, arcsIntersect, geoJsonCentroid, leftArea, loopContains, loopOf, onArc, polygonArea, polygonEdges,
  polygonOf, polygonVertices, polygonsContain, toVec, type LonLat, type SpherePolygon, type Vec,
} from './spherical-geometry.ts';
