/**
 * Every server option, once: flag, type, default, environment variable and a doc line.
 * Precedence: defaults < environment < command-line flags.
 */
export interface OptionSpec {
  readonly flag: string;
  readonly type: 'string' | 'number' | 'boolean' | 'list';
  readonly default: string | number | boolean | readonly string[];
  readonly env?: string;
  readonly doc: string;
  readonly secret?: boolean;
}

export const OPTIONS = {
  port: { flag: 'port', type: 'number', default: 8529, env: 'KITSUNE_PORT', doc: 'HTTP port (0 picks a free port)' },
  host: { flag: 'host', type: 'string', default: '127.0.0.1', env: 'KITSUNE_HOST', doc: 'address to listen on' },
  dataDir: { flag: 'data-dir', type: 'string', default: './data', env: 'KITSUNE_DATA_DIR', doc: 'directory of the LMDB data files' },
  auth: { flag: 'auth', type: 'boolean', default: true, env: 'KITSUNE_AUTH', doc: 'require authentication (JWT or Basic)' },
  jwtSecretFile: {
    flag: 'jwt-secret-file',
    type: 'string',
    default: '',
    env: 'KITSUNE_JWT_SECRET_FILE',
    doc: 'file holding the deployment JWT secret (generated into the data dir if absent)',
  },
  rootPassword: { flag: 'root-password', type: 'string', default: '', env: 'KITSUNE_ROOT_PASSWORD', doc: 'initial root password', secret: true },
  logLevel: { flag: 'log-level', type: 'string', default: 'info', env: 'KITSUNE_LOG_LEVEL', doc: 'trace|debug|info|warn|error' },
  maxBodyBytes: { flag: 'http.max-body-bytes', type: 'number', default: 64 * 1024 * 1024, env: 'KITSUNE_MAX_BODY_BYTES', doc: 'largest request body accepted (413 above)' },
  logRetentionSeconds: { flag: 'log.retention-seconds', type: 'number', default: 24 * 3600, doc: 'operation log entries older than this are pruned' },
  logRetentionEntries: { flag: 'log.retention-entries', type: 'number', default: 10_000_000, doc: 'operation log keeps at most this many entries' },
  foxxWorkers: { flag: 'foxx.workers', type: 'number', default: 2, doc: 'worker threads running Foxx services' },
  foxxRequestTimeoutMs: { flag: 'foxx.request-timeout', type: 'number', default: 30_000, doc: 'ms a service request may run before its worker is replaced' },
  foxxHealIntervalMs: { flag: 'foxx.heal-interval', type: 'number', default: 30_000, doc: 'ms between Foxx self-heal runs' },
  foxxQueuesPollMs: { flag: 'foxx.queues-poll-interval', type: 'number', default: 1000, doc: 'ms between queue polls' },
  foxxAllowRemote: { flag: 'foxx.allow-install-from-remote', type: 'boolean', default: false, doc: 'allow installing services from http(s) URLs' },
  foxxMemoryMb: { flag: 'foxx.worker-memory-mb', type: 'number', default: 512, doc: 'heap limit of each Foxx worker thread' },
  mode: { flag: 'mode', type: 'string', default: 'single', doc: 'single | activefailover' },
  agency: { flag: 'agency', type: 'list', default: [], env: 'KITSUNE_AGENCY', doc: 'etcd endpoints (comma separated)' },
  advertise: { flag: 'advertise', type: 'string', default: '', doc: 'endpoint other members and clients reach this server at' },
  deployment: { flag: 'deployment', type: 'string', default: 'kitsune', doc: 'deployment name (agency key prefix)' },
  syncFollowers: { flag: 'replication.sync-followers', type: 'number', default: 0, doc: 'followers that must apply a write before it is acknowledged' },
  maxLagForFailover: { flag: 'replication.max-lag-for-failover', type: 'number', default: 10_000_000, doc: 'ticks a follower may lag and still take over' },
  agencyLeaseTtl: { flag: 'agency.lease-ttl', type: 'number', default: 2, doc: 'seconds a member lease (and the leader key) outlives its last keep-alive' },
  syncTimeoutMs: { flag: 'replication.sync-timeout', type: 'number', default: 5000, doc: 'ms a write waits for its sync followers before it fails (1457)' },
  replicationClientTtl: { flag: 'replication.client-ttl', type: 'number', default: 600, doc: 'seconds a silent follower still holds back operation log pruning' },
  trxIdleTimeoutSeconds: {
    flag: 'transaction.streaming-idle-timeout',
    type: 'number',
    default: 60,
    doc: 'seconds a stream transaction may stay idle before it is aborted',
  },
  trxMaxSizeBytes: { flag: 'transaction.streaming-max-size', type: 'number', default: 128 * 1024 * 1024, doc: 'largest total document size a stream transaction may write (default of maxTransactionSize)' },
  ttlFrequencyMs: { flag: 'ttl.frequency', type: 'number', default: 30_000, doc: 'ms between runs of the TTL index sweeper' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
