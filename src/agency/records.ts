/**
 * The JSON records kitsune stores in etcd, and their decoders. Decoders never throw: a record
 * written by an incompatible version reads as `null` and the caller decides what that means.
 */

/** The value of the `leader` key: who leads and where clients and followers find it. */
export interface LeaderValue {
  /** The leader's member id (e.g. `SNGL-…`). */
  readonly id: string;
  /** The leader's advertised endpoint, e.g. `tcp://127.0.0.1:8529`. */
  readonly endpoint: string;
}

/** The `leader` key as read from etcd. */
export interface LeaderInfo {
  readonly value: LeaderValue;
  /**
   * The key's create revision. Every new leadership creates the key anew, so terms strictly
   * increase across leaders: a fencing token followers compare to reject a stale leader.
   */
  readonly term: number;
  /** The lease (decimal string) the key is bound to; it vanishes with that lease. */
  readonly leaseId: string;
}

/** What a member says about itself. */
export type MemberRole = 'leader' | 'follower' | 'candidate';

/** The state of a member's replication applier. */
export type ApplierState = 'none' | 'initial-sync' | 'tailing' | 'stopped' | 'error';

/** The value of `members/<id>`: a member's heartbeat record, bound to its lease. */
export interface MemberInfo {
  readonly id: string;
  readonly endpoint: string;
  readonly role: MemberRole;
  /** The last leader tick this member applied (ArangoDB ticks are uint64, kept as decimal strings). */
  readonly appliedTick: string;
  readonly applierState: ApplierState;
  /** Wall-clock time of the write (ISO 8601); for operators only, never for decisions. */
  readonly updatedAt: string;
}

/** The part of {@link MemberInfo} a member supplies; `id` and `updatedAt` are filled in. */
export type MemberUpdate = Omit<MemberInfo, 'id' | 'updatedAt'>;

const MEMBER_ROLES: readonly MemberRole[] = ['leader', 'follower', 'candidate'];
const APPLIER_STATES: readonly ApplierState[] = ['none', 'initial-sync', 'tailing', 'stopped', 'error'];
const TICK = /^(0|[1-9][0-9]{0,19})$/;

/** Serialises a leader value for the `leader` key. */
export function encodeLeaderValue(value: LeaderValue): string {
  return JSON.stringify({ id: value.id, endpoint: value.endpoint });
}

/** Parses the `leader` key's value; `null` when it is not a leader record. */
export function decodeLeaderValue(text: string): LeaderValue | null {
  const raw = parseObject(text);
  if (raw === null || typeof raw.id !== 'string' || typeof raw.endpoint !== 'string') return null;
  return { id: raw.id, endpoint: raw.endpoint };
}

/** Serialises a member record for `members/<id>`. */
export function encodeMemberInfo(info: MemberInfo): string {
  const { id, endpoint, role, appliedTick, applierState, updatedAt } = info;
  return JSON.stringify({ id, endpoint, role, appliedTick, applierState, updatedAt });
}

/** Parses a `members/<id>` value; `null` when a field is missing or invalid. */
export function decodeMemberInfo(text: string): MemberInfo | null {
  const raw = parseObject(text);
  if (raw === null) return null;
  const { id, endpoint, role, appliedTick, applierState, updatedAt } = raw;
  if (typeof id !== 'string' || typeof endpoint !== 'string' || typeof updatedAt !== 'string') return null;
  if (!isOneOf(MEMBER_ROLES, role) || !isOneOf(APPLIER_STATES, applierState)) return null;
  if (typeof appliedTick !== 'string' || !TICK.test(appliedTick)) return null;
  return { id, endpoint, role, appliedTick, applierState, updatedAt };
}

/** Throws `RangeError` unless `tick` is a decimal uint64 string; used before writing. */
export function assertTick(tick: string): void {
  if (!TICK.test(tick)) throw new RangeError(`appliedTick must be a decimal tick string, got '${tick}'`);
}

function isOneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return allowed.some((candidate) => candidate === value);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
