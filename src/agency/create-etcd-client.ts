import { Etcd3, type IOptions } from 'etcd3';
import { currentAgencyAuth, etcdSecurityOptions, type AgencyAuth } from './agency-auth.ts';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type HostPolicy = ReturnType<NonNullable<FaultHandling['host']>>;
type WatchBackoff = NonNullable<FaultHandling['watchBackoff']>;

/** How the etcd connection behaves; every value in ms. */
export interface EtcdClientSettings {
  readonly endpoints: readonly string[];
  /** Deadline of every unary call; streams (watch, keep-alive) have none. */
  readonly requestTimeoutMs: number;
  /** etcd user/password and TLS; default: the process's agency credentials ({@link setAgencyAuth}). */
  readonly auth?: AgencyAuth;
}

/**
 * Creates the etcd3 client with kitsune's fault handling: every unary call gets a deadline and
 * fails at once instead of being retried or blocked inside etcd3. etcd3's default circuit
 * breaker refuses calls for 5 s after three failures, which would delay noticing that a paused
 * or restarted etcd is back; retries belong to `common/retry.ts` in the caller.
 */
export function createEtcdClient(settings: EtcdClientSettings): Etcd3 {
  return new Etcd3({
    hosts: [...settings.endpoints],
    ...etcdSecurityOptions(settings.auth ?? currentAgencyAuth()),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + settings.requestTimeoutMs }),
    faultHandling: {
      host: () => passThroughPolicy(),
      global: passThroughPolicy(),
      // Only used by etcd3's own watch manager; our leader watch manages its stream itself.
      watchBackoff: constantBackoff(250),
    },
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    },
  });
}

/** A cockatiel-compatible policy that simply runs the call once. */
function passThroughPolicy(): HostPolicy {
  const disposable = { dispose: (): void => undefined };
  const signal = new AbortController().signal;
  return {
    _altReturn: undefined as never,
    onSuccess: () => disposable,
    onFailure: () => disposable,
    execute: async (fn, callerSignal) => fn({ signal: callerSignal ?? signal }),
  };
}

function constantBackoff(durationMs: number): WatchBackoff {
  const backoff: WatchBackoff = { duration: durationMs, next: () => backoff };
  return backoff;
}
