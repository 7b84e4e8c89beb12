/**
 * The agency: kitsune's use of etcd for active failover (spec §9). The only module that imports
 * the `etcd3` client; everything else talks to an {@link AgencyClient}.
 */
export {
  AgencyClient,
  type AgencyClientOptions,
  type LeadershipAttempt,
  type WatchHandle,
} from './agency-client.ts';
export { AgencyKv } from './agency-kv.ts';
export { AGENCY_ROOT, agencyKeys, type AgencyKeys } from './keys.ts';
export {
  decodeLeaderValue,
  decodeMemberInfo,
  encodeLeaderValue,
  encodeMemberInfo,
  type ApplierState,
  type LeaderInfo,
  type LeaderValue,
  type MemberInfo,
  type MemberRole,
  type MemberUpdate,
} from './records.ts';
export type { LeaderListener } from './leader-watch.ts';
export type { LeaseLostEvent, LeaseRecoveredEvent } from './lease-session.ts';
export { LeaseFence, type LeaseFenceTransition, type LeaseLossReason } from './lease-fence.ts';
export { ETCD_DEBIAN_PACKAGE, findEtcdBinary, type FindEtcdBinaryOptions } from './etcd-binary.ts';
export { agencyAuthArgs, agencyAuthOf, currentAgencyAuth, lockDownEtcd, lockDownStarterAgency, setAgencyAuth, starterAgencyPassword, type AgencyAuth } from './agency-auth.ts';
