/** Active failover: member roles, leader election through the agency, the request gate. */
export { ClusterMember, type ClusterMemberDeps, type ClusterSettings, type LeadershipHooks } from './cluster-member.ts';
export { createRequestGate, isAllowedOnNonLeader, type GateView } from './request-gate.ts';
export { registerClusterApi, toTcp } from './cluster-api.ts';
export { loadMemberId } from './member-id.ts';
export { runStarter, parseStarterArgs, STARTER_USAGE, type StarterOptions } from './starter.ts';
export { ClusterRegistry, placeDatabase, type ClusterRole, type DatabasePlan, type ServerRecord } from './cluster-registry.ts';
export { loadServerId } from './server-id.ts';
export { mirrorUsers } from './users-mirror.ts';
export { Coordinator, type CoordinatorDeps } from './coordinator.ts';
export { runClusterStarter, parseClusterStarterArgs, CLUSTER_STARTER_USAGE, type ClusterStarterOptions } from './cluster-starter.ts';
export { ReplicaManager, type ReplicaManagerDeps } from './replica-manager.ts';
