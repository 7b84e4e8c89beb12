import { ArangoError } from '../errors/index.ts';

/** Every kitsune key in etcd lives under this root, so one etcd can serve several deployments. */
export const AGENCY_ROOT = '/kitsune';

/** Allowed characters of a deployment name or member id: they become single key segments. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The etcd key layout of one deployment, `/kitsune/<deployment>/…`:
 *
 * | Key | Value | Bound to |
 * |---|---|---|
 * | `leader` | JSON {@link LeaderValue} `{id, endpoint}`; its create revision is the leader's term | the leader's lease |
 * | `members/<id>` | JSON {@link MemberInfo} `{id, endpoint, role, appliedTick, applierState, updatedAt}` | that member's lease |
 * | `foxxmaster` | JSON `{id, endpoint}` of the coordinator that runs the Foxx queues (cluster mode) | that coordinator's lease |
 *
 * Lease-bound keys vanish when their owner stops keeping its lease alive, which is how the
 * deployment notices a dead member or leader (the role of ArangoDB's Supervision, spec §9.4).
 */
export interface AgencyKeys {
  /** `/kitsune/<deployment>/`, the prefix of everything below. */
  readonly root: string;
  /** `/kitsune/<deployment>/leader`. */
  readonly leader: string;
  /** `/kitsune/<deployment>/foxxmaster`: the cluster's Foxxmaster coordinator. */
  readonly foxxmaster: string;
  /** `/kitsune/<deployment>/members/`, the prefix of all member records. */
  readonly membersPrefix: string;
  /** `/kitsune/<deployment>/members/<memberId>`. Throws `ERROR_BAD_PARAMETER` for an invalid id. */
  member(memberId: string): string;
}

/**
 * Builds the key layout of `deployment`. Throws `ERROR_BAD_PARAMETER` when the name is not a
 * single safe segment (letters, digits, `.`, `_`, `-`; at most 128 characters).
 */
export function agencyKeys(deployment: string): AgencyKeys {
  assertKeySegment(deployment, 'deployment name');
  const root = `${AGENCY_ROOT}/${deployment}/`;
  const membersPrefix = `${root}members/`;
  return Object.freeze({
    root,
    leader: `${root}leader`,
    foxxmaster: `${root}foxxmaster`,
    membersPrefix,
    member(memberId: string): string {
      assertKeySegment(memberId, 'member id');
      return `${membersPrefix}${memberId}`;
    },
  });
}

/** Throws `ERROR_BAD_PARAMETER` unless `value` can be used as one key segment. */
export function assertKeySegment(value: string, what: string): void {
  if (!SEGMENT.test(value)) {
    throw new ArangoError('ERROR_BAD_PARAMETER', `invalid ${what} '${value}': use 1-128 letters, digits, '.', '_' or '-'`);
  }
}
