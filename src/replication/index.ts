/**
 * Server-level asynchronous replication (spec §3): the leader feed (ArangoDB's replication and
 * WAL endpoints) and the follower applier (initial sync, tailing, rollback).
 */
export { LeaderFeed, ROLLBACK_COLLECTION, type LeaderFeedDeps } from './leader-feed.ts';
export { FollowerTracker } from './follower-tracker.ts';
export { Applier, type ApplierOptions, type ReplicationTarget } from './applier.ts';
export { ReplicationState, type Lineage } from './replication-state.ts';
export { EntryApplier } from './entry-applier.ts';
export { LeaderClient } from './leader-client.ts';
export { encodeEntry, decodeEntry, HEADER, DUMP_CONTENT_TYPE } from './wire.ts';
export { recordRollback, type RollbackRecord } from './rollback.ts';
export { registerFollowedRoute } from './database-rollback.ts';
export { DatabaseFollower, type DatabaseFollowerOptions, type DatabaseFollowerPhase } from './database-follower.ts';
